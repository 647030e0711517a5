import type { Channel } from '@ponte/contracts';
import { InvalidAddressError, normalizeEmail, normalizePhone, parseWhatsAppAddress } from '@ponte/identity';
import { IdentityResolutionError } from './identity.errors';

/**
 * What an identity is, which is not always its channel: SMS and WhatsApp phone accounts are both `phone`, while
 * a WhatsApp linked id (`…@lid`) is a kind of its own because it is not a phone number.
 */
export const IDENTITY_KINDS = [
  'phone',
  'whatsapp-lid',
  'email',
  'webchat',
  'telegram',
  'messenger',
  'instagram',
] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

/** A sender's address after normalization, with the cross-channel evidence it carries. */
export interface IdentityAddress {
  channel: Channel;
  kind: IdentityKind;
  /** The normalized address on that channel: E.164 for phones, the domain lower-cased for e-mail. */
  address: string;
  /**
   * `kind:value`. Identities sharing a key are one customer automatically: this is the "strong evidence" of
   * invariant 3 (the same normalized phone on SMS and WhatsApp). Nothing weaker ever shares a key.
   */
  key: string;
}

// Provider ids (web-chat visitors, Telegram chats, page-scoped ids) are opaque: compared exactly, only trimmed.
const OPAQUE_ID = /^[^\s\p{Cc}]{1,256}$/u;
const TENANT_SEPARATOR = '|';

/**
 * Normalizes a sender address. An address the channel cannot have throws `IdentityResolutionError`
 * (`INVALID_ADDRESS`) before anything is written.
 */
export function identityAddressOf(channel: Channel, rawAddress: string): IdentityAddress {
  try {
    return normalize(channel, rawAddress);
  } catch (error) {
    if (error instanceof InvalidAddressError) {
      throw new IdentityResolutionError('INVALID_ADDRESS', channel, rawAddress, error.message);
    }
    throw error;
  }
}

function normalize(channel: Channel, rawAddress: string): IdentityAddress {
  switch (channel) {
    case 'sms':
      return phone(channel, normalizePhone(rawAddress));
    case 'whatsapp': {
      const parsed = parseWhatsAppAddress(rawAddress);
      return parsed.kind === 'phone'
        ? phone(channel, parsed.e164)
        : { channel, kind: 'whatsapp-lid', address: parsed.lid, key: `whatsapp-lid:${parsed.lid}` };
    }
    case 'email': {
      const address = normalizeEmail(rawAddress);
      return { channel, kind: 'email', address, key: `email:${address}` };
    }
    case 'webchat':
    case 'telegram':
    case 'messenger':
    case 'instagram':
      return opaque(channel, rawAddress);
  }
  throw new IdentityResolutionError('INVALID_ADDRESS', channel, rawAddress, 'unsupported channel');
}

function phone(channel: Channel, e164: string): IdentityAddress {
  return { channel, kind: 'phone', address: e164, key: `phone:${e164}` };
}

function opaque(
  channel: 'webchat' | 'telegram' | 'messenger' | 'instagram',
  rawAddress: string,
): IdentityAddress {
  const address = rawAddress.trim();
  if (!OPAQUE_ID.test(address)) {
    throw new InvalidAddressError(
      channel,
      rawAddress,
      'expected a provider id without spaces, at most 256 characters',
    );
  }
  return { channel, kind: channel, address, key: `${channel}:${address}` };
}

/**
 * Ids are `tenant|…`, so a `|` inside a tenant id could make two tenants' ids collide; channels and key kinds never
 * contain one, which keeps the rest unambiguous.
 */
export function assertTenantId(tenantId: string, channel?: Channel, address = ''): void {
  if (tenantId.length === 0 || tenantId.includes(TENANT_SEPARATOR)) {
    throw new IdentityResolutionError(
      'INVALID_TENANT',
      channel,
      address,
      `tenant id ${JSON.stringify(tenantId)} must be non-empty and contain no "${TENANT_SEPARATOR}"`,
    );
  }
}

/** The identity's `_id`: unique per (tenant, channel, normalized address), as the design brief requires. */
export function identityIdOf(
  tenantId: string,
  identity: Pick<IdentityAddress, 'channel' | 'address'>,
): string {
  return [tenantId, identity.channel, identity.address].join(TENANT_SEPARATOR);
}

/** The `_id` of a customer key: the unique index on it decides which customer a piece of evidence belongs to. */
export function customerKeyIdOf(tenantId: string, key: string): string {
  return `${tenantId}${TENANT_SEPARATOR}${key}`;
}

export function mergeRecordIdOf(tenantId: string, mergeId: string): string {
  return `${tenantId}${TENANT_SEPARATOR}${mergeId}`;
}

/** One suggestion per pair of customers, whichever of the two came first. */
export function suggestionIdOf(tenantId: string, customerIds: readonly [string, string]): string {
  return [tenantId, ...[...customerIds].sort()].join(TENANT_SEPARATOR);
}
