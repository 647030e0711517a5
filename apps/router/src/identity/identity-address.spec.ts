import type { Channel } from '@ponte/contracts';
import {
  assertTenantId,
  customerKeyIdOf,
  identityAddressOf,
  identityIdOf,
  suggestionIdOf,
} from './identity-address';
import { IdentityResolutionError } from './identity.errors';

describe(identityAddressOf.name, () => {
  it.each<[Channel, string, string, string]>([
    ['sms', '+55 11 98765-4321', 'phone', '+5511987654321'],
    ['sms', '+551187654321', 'phone', '+5511987654321'],
    ['whatsapp', '551187654321@c.us', 'phone', '+5511987654321'],
    ['whatsapp', '5511987654321', 'phone', '+5511987654321'],
    ['whatsapp', 'whatsapp:+5511987654321', 'phone', '+5511987654321'],
    ['whatsapp', '551187654321@lid', 'whatsapp-lid', '551187654321@lid'],
    ['email', ' "Ana" <Ana@Example.COM> ', 'email', 'Ana@example.com'],
    ['webchat', ' visitor-7f3a9c ', 'webchat', 'visitor-7f3a9c'],
    ['telegram', '987654321', 'telegram', '987654321'],
    ['messenger', 'psid-2468013579', 'messenger', 'psid-2468013579'],
    ['instagram', 'igsid-6543210987654321', 'instagram', 'igsid-6543210987654321'],
  ])('should normalize a %s address %p to a %s identity %p', (channel, raw, kind, address) => {
    expect(identityAddressOf(channel, raw)).toEqual({ channel, kind, address, key: `${kind}:${address}` });
  });

  it('should give SMS and WhatsApp the same key when the phone is the same, with or without the 9th digit', () => {
    const sms = identityAddressOf('sms', '+55 11 98765-4321');
    const whatsapp = identityAddressOf('whatsapp', '551187654321@c.us');

    expect(whatsapp.key).toBe(sms.key);
    expect(whatsapp.channel).not.toBe(sms.channel);
  });

  it('should never give a WhatsApp linked id the key of the phone with the same digits', () => {
    expect(identityAddressOf('whatsapp', '5511987654321@lid').key).not.toBe(
      identityAddressOf('sms', '+5511987654321').key,
    );
  });

  it('should keep the e-mail local part as written when only the domain case differs', () => {
    expect(identityAddressOf('email', 'Ana@EXAMPLE.com').key).toBe(
      identityAddressOf('email', 'Ana@example.COM ').key,
    );
    expect(identityAddressOf('email', 'Ana@example.com').key).not.toBe(
      identityAddressOf('email', 'ana@example.com').key,
    );
  });

  it.each<[Channel, string]>([
    ['sms', 'ACME'],
    ['sms', ''],
    ['whatsapp', '120363025246125244@g.us'],
    ['email', 'maria@'],
    ['webchat', 'visitor 7f3a'],
    ['telegram', '   '],
    ['messenger', 'x'.repeat(257)],
  ])(
    'should reject a %s address %p with INVALID_ADDRESS naming the channel and the address',
    (channel, raw) => {
      const attempt = () => identityAddressOf(channel, raw);

      expect(attempt).toThrow(IdentityResolutionError);
      expect(attempt).toThrow(expect.objectContaining({ code: 'INVALID_ADDRESS', channel, address: raw }));
    },
  );
});

describe(assertTenantId.name, () => {
  it.each(['', 'acme|sms'])('should reject the tenant id %p with INVALID_TENANT', (tenantId) => {
    expect(() => assertTenantId(tenantId)).toThrow(expect.objectContaining({ code: 'INVALID_TENANT' }));
  });

  it('should accept an ordinary tenant id', () => {
    expect(() => assertTenantId('acme-br')).not.toThrow();
  });
});

describe(identityIdOf.name, () => {
  it('should differ by tenant, channel and address', () => {
    const id = identityIdOf('acme', { channel: 'sms', address: '+5511987654321' });

    expect(id).toBe('acme|sms|+5511987654321');
    expect(identityIdOf('other', { channel: 'sms', address: '+5511987654321' })).not.toBe(id);
    expect(identityIdOf('acme', { channel: 'whatsapp', address: '+5511987654321' })).not.toBe(id);
    expect(customerKeyIdOf('acme', 'phone:+5511987654321')).toBe('acme|phone:+5511987654321');
  });
});

describe(suggestionIdOf.name, () => {
  it('should name a pair the same way in either order', () => {
    expect(suggestionIdOf('acme', ['b', 'a'])).toBe(suggestionIdOf('acme', ['a', 'b']));
    expect(suggestionIdOf('acme', ['a', 'b'])).toBe('acme|a|b');
  });
});
