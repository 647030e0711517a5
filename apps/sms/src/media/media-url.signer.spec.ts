import { mediaUrlKey, MediaUrlSigner, type MediaUrlSignerOptions } from './media-url.signer';

const PUBLIC_BASE_URL = 'https://ponte.example.com/sms';
const BLOB_ID = 'blob/6f1c0d1e-reply.jpg';
const NOW = Date.parse('2025-03-14T12:00:00.000Z');

describe(MediaUrlSigner.name, () => {
  let now: number;

  function buildSigner(overrides: Partial<MediaUrlSignerOptions> = {}): MediaUrlSigner {
    return new MediaUrlSigner({
      key: mediaUrlKey('twilio-auth-token'),
      publicBaseUrl: PUBLIC_BASE_URL,
      ttlSeconds: 3600,
      now: () => now,
      ...overrides,
    });
  }

  function tokenOf(url: string): string {
    return url.slice(`${PUBLIC_BASE_URL}/media/`.length);
  }

  beforeEach(() => {
    now = NOW;
  });

  it('should sign a URL under the public base that verifies as the same blob until it expires', () => {
    const sut = buildSigner();

    const signed = sut.urlFor(BLOB_ID);

    expect(signed.url.startsWith(`${PUBLIC_BASE_URL}/media/`)).toBe(true);
    expect(signed.expiresAt).toEqual(new Date(NOW + 3600_000));
    expect(sut.verify(tokenOf(signed.url))).toEqual({
      blobId: BLOB_ID,
      expiresAt: signed.expiresAt,
      secondsLeft: 3600,
    });
  });

  it('should keep the token to URL-safe characters without a slash when the blob id has slashes and unicode', () => {
    const sut = buildSigner();

    const token = tokenOf(sut.urlFor('twilio/SMabc/media/0+ção').url);

    expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(sut.verify(token)?.blobId).toBe('twilio/SMabc/media/0+ção');
  });

  it('should count down the seconds left when time passes', () => {
    const sut = buildSigner();
    const token = tokenOf(sut.urlFor(BLOB_ID).url);

    now += 3599_400;

    expect(sut.verify(token)?.secondsLeft).toBe(0);
  });

  it('should refuse the token when it has expired', () => {
    const sut = buildSigner();
    const token = tokenOf(sut.urlFor(BLOB_ID).url);

    now += 3600_000;

    expect(sut.verify(token)).toBeUndefined();
  });

  it('should refuse a token signed already expired', () => {
    const sut = buildSigner();

    expect(sut.verify(sut.tokenFor(BLOB_ID, new Date(NOW - 1000)))).toBeUndefined();
  });

  it('should refuse the token when another key signed it', () => {
    const token = tokenOf(buildSigner({ key: mediaUrlKey('another-auth-token') }).urlFor(BLOB_ID).url);

    expect(buildSigner().verify(token)).toBeUndefined();
  });

  it.each([
    ['another blob id', ([, expiry, signature]: string[]) => [encode('blob/other.jpg'), expiry, signature]],
    [
      'a later expiry',
      ([blob, expiry, signature]: string[]) => [blob, String(Number(expiry) + 3600), signature],
    ],
    ['a changed signature', ([blob, expiry, signature]: string[]) => [blob, expiry, flipFirst(signature!)]],
    [
      'the signature of another blob',
      ([blob, expiry]: string[], other: string[]) => [blob, expiry, other[2]],
    ],
    ['a missing part', ([blob, expiry]: string[]) => [blob, expiry]],
    ['an extra part', (parts: string[]) => [...parts, 'x']],
    ['a negative expiry', ([blob, , signature]: string[]) => [blob, '-1', signature]],
  ])('should refuse the token when it was given %s', (_, tamper) => {
    const sut = buildSigner();
    const parts = tokenOf(sut.urlFor(BLOB_ID).url).split('.');
    const other = tokenOf(sut.urlFor('blob/other.jpg').url).split('.');

    expect(sut.verify(tamper(parts, other).join('.'))).toBeUndefined();
  });

  it('should refuse a non-canonical spelling of a valid signature when it decodes to the same bytes', () => {
    const sut = buildSigner();
    const [blob, expiry, signature] = tokenOf(sut.urlFor(BLOB_ID).url).split('.');
    const respelled = respellLast(signature!);

    expect(Buffer.from(respelled, 'base64url').equals(Buffer.from(signature!, 'base64url'))).toBe(true);
    expect(sut.verify(`${blob}.${expiry}.${respelled}`)).toBeUndefined();
  });

  it.each(['', '...', 'not-a-token', '%2e%2e', `${'A'.repeat(5000)}.1.x`])(
    'should refuse %j without throwing',
    (token) => {
      expect(buildSigner().verify(token)).toBeUndefined();
    },
  );

  it('should derive different keys from different secrets and the same key from the same secret', () => {
    expect(mediaUrlKey('secret-a').equals(mediaUrlKey('secret-a'))).toBe(true);
    expect(mediaUrlKey('secret-a').equals(mediaUrlKey('secret-b'))).toBe(false);
    expect(mediaUrlKey('secret-a')).toHaveLength(32);
  });

  it('should refuse to sign a URL when there is no public base URL', () => {
    const sut = new MediaUrlSigner({ key: mediaUrlKey('secret'), ttlSeconds: 60 });

    expect(() => sut.urlFor(BLOB_ID)).toThrow(/SMS_PUBLIC_BASE_URL/);
  });
});

function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function flipFirst(encoded: string): string {
  return `${encoded.startsWith('A') ? 'B' : 'A'}${encoded.slice(1)}`;
}

/** The last character of a 32-byte base64url value carries 2 unused bits: changing them keeps the same bytes. */
function respellLast(encoded: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(encoded.at(-1)!);
  return `${encoded.slice(0, -1)}${alphabet[last ^ 1]}`;
}
