import { InvalidAddressError } from '../invalid-address.error';
import { normalizePhone, phoneVariants } from './phone-number';

describe(normalizePhone.name, () => {
  it.each([
    ['+55 11 98765-4321', '+5511987654321'],
    ['+55 (11) 98765-4321', '+5511987654321'],
    ['11 98765-4321', '+5511987654321'],
    ['+551187654321', '+5511987654321'],
    ['+55 61 8123-4567', '+5561981234567'],
    ['+55 21 2345-6789', '+552123456789'],
    ['+1 (415) 555-0100', '+14155550100'],
    ['  +351 912 345 678 ', '+351912345678'],
  ])('should normalize %s to %s', (raw, expected) => {
    expect(normalizePhone(raw)).toBe(expected);
  });

  it('should keep a Brazilian landline as it is when it has 8 digits starting with 2 to 5', () => {
    expect(normalizePhone('+55 11 3456-7890')).toBe('+551134567890');
  });

  it.each(['', 'abc', '+55', '12', 'olá@example.com'])('should reject %p with a typed error', (raw) => {
    expect(() => normalizePhone(raw)).toThrow(InvalidAddressError);
  });
});

describe(phoneVariants.name, () => {
  it('should give both WhatsApp forms of a Brazilian mobile, canonical first', () => {
    expect(phoneVariants('+5511987654321')).toEqual(['+5511987654321', '+551187654321']);
  });

  it.each(['+551134567890', '+14155550100', '+5511912345'])('should give one form for %s', (e164) => {
    expect(phoneVariants(e164)).toEqual([e164]);
  });
});
