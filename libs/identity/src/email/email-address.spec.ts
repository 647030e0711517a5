import { InvalidAddressError } from '../invalid-address.error';
import { normalizeEmail } from './email-address';

describe(normalizeEmail.name, () => {
  it.each([
    ['  Maria.Silva@Example.COM.br ', 'Maria.Silva@example.com.br'],
    ['"Maria Silva" <maria@Exemplo.com>', 'maria@exemplo.com'],
    ['joão@exemplo.com.br', 'joão@exemplo.com.br'],
  ])('should normalize %p to %p', (raw, expected) => {
    expect(normalizeEmail(raw)).toBe(expected);
  });

  it('should compare the domain case-insensitively but keep the local part', () => {
    expect(normalizeEmail('Ana@EXAMPLE.com')).toBe(normalizeEmail('Ana@example.COM'));
    expect(normalizeEmail('Ana@example.com')).not.toBe(normalizeEmail('ana@example.com'));
  });

  it.each(['', 'maria', 'maria@', '@example.com', 'maria@example', 'a b@example.com'])('should reject %p', (raw) => {
    expect(() => normalizeEmail(raw)).toThrow(InvalidAddressError);
  });
});
