import { createHmac, timingSafeEqual } from 'node:crypto';
import { IdentityVerificationError } from '../http/problem.error';
import type { VerifiedIdentity } from './visitor-tokens';

/** What a website says about its logged-in user; a value without its hash is a claim, not a proof. */
export interface IdentityClaims {
  email?: string;
  emailHash?: string;
  phone?: string;
  phoneHash?: string;
}

/**
 * Like Chatwoot's `identifier_hash`: the website computes hex HMAC-SHA256(identitySecret, value) on its server for the
 * e-mail and/or phone of its logged-in user, exactly as it sends them. A matching hash makes the address verified,
 * strong evidence that may link the visitor to the existing customer who has it. A hash that does not match is refused
 * (someone is trying to pass for another user); an address without a hash stays an unverified claim.
 */
export function verifiedIdentities(secret: string | undefined, claims: IdentityClaims): VerifiedIdentity[] {
  const verified: VerifiedIdentity[] = [];
  const check = (field: 'email' | 'phone', value: string | undefined, hash: string | undefined) => {
    if (hash === undefined) return;
    if (value === undefined) throw new IdentityVerificationError(`${field}Hash was sent without ${field}.`);
    if (secret === undefined) {
      throw new IdentityVerificationError('This inbox has no identity secret, so it verifies no identity.');
    }
    if (!sameHex(hash, identityHash(secret, value))) {
      throw new IdentityVerificationError(`${field}Hash does not match ${field}.`);
    }
    verified.push({ channel: field === 'email' ? 'email' : 'sms', address: value });
  };
  check('email', claims.email, claims.emailHash);
  check('phone', claims.phone, claims.phoneHash);
  return verified;
}

/** What the website computes: hex HMAC-SHA256 of the value with the inbox's identity secret. */
export function identityHash(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value, 'utf8').digest('hex');
}

function sameHex(given: string, expected: string): boolean {
  const a = Buffer.from(given.toLowerCase(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
