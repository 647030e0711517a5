import { createHmac } from 'node:crypto';
import { hubSignature, isSameSecret, isValidHubSignature } from './hub-signature';

const SECRET = 'app-secret';
const BODY = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');

describe(isValidHubSignature.name, () => {
  it("should accept Meta's signature: sha256= and the hex HMAC-SHA256 of the raw body", () => {
    const header = `sha256=${createHmac('sha256', SECRET).update(BODY).digest('hex')}`;

    expect(hubSignature(SECRET, BODY)).toBe(header);
    expect(isValidHubSignature(SECRET, BODY, header)).toBe(true);
    expect(isValidHubSignature(SECRET, BODY, header.toUpperCase().replace('SHA256=', 'sha256='))).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['without the prefix', createHmac('sha256', SECRET).update(BODY).digest('hex')],
    ['of another algorithm', `sha1=${createHmac('sha1', SECRET).update(BODY).digest('hex')}`],
    ['made with another secret', hubSignature('another-secret', BODY)],
    ['truncated', hubSignature(SECRET, BODY).slice(0, 40)],
    ['not hex', `sha256=${'z'.repeat(64)}`],
  ])('should refuse a signature that is %s', (_, header) => {
    expect(isValidHubSignature(SECRET, BODY, header)).toBe(false);
  });

  it('should refuse the signature of the same JSON serialized differently', () => {
    const reformatted = Buffer.from(JSON.stringify(JSON.parse(BODY.toString()), null, 2));

    expect(isValidHubSignature(SECRET, reformatted, hubSignature(SECRET, BODY))).toBe(false);
  });
});

describe(isSameSecret.name, () => {
  it('should compare verify tokens exactly', () => {
    expect(isSameSecret('verify-me', 'verify-me')).toBe(true);
    expect(isSameSecret('verify-me ', 'verify-me')).toBe(false);
    expect(isSameSecret('', 'verify-me')).toBe(false);
  });
});
