import { InvalidAddressError } from '../invalid-address.error';
import { parseWhatsAppAddress, whatsAppChatId } from './whatsapp-id';

describe(parseWhatsAppAddress.name, () => {
  it.each([
    ['551187654321@c.us', '+5511987654321'],
    ['5511987654321@c.us', '+5511987654321'],
    ['5511987654321@s.whatsapp.net', '+5511987654321'],
    ['5511987654321:12@s.whatsapp.net', '+5511987654321'],
    ['551187654321', '+5511987654321'],
    ['whatsapp:+5511987654321', '+5511987654321'],
    ['14155550100@c.us', '+14155550100'],
  ])('should read %s as the phone %s', (raw, e164) => {
    expect(parseWhatsAppAddress(raw)).toEqual({ kind: 'phone', e164 });
  });

  it('should keep a linked id as its own kind and never read it as a phone', () => {
    expect(parseWhatsAppAddress('551187654321@lid')).toEqual({ kind: 'lid', lid: '551187654321@lid' });
  });

  it.each(['123@g.us', 'status@broadcast', 'not a number'])('should reject %p', (raw) => {
    expect(() => parseWhatsAppAddress(raw)).toThrow(InvalidAddressError);
  });
});

describe(whatsAppChatId.name, () => {
  it('should build the c.us id without the plus sign', () => {
    expect(whatsAppChatId('+5511987654321')).toBe('5511987654321@c.us');
  });
});
