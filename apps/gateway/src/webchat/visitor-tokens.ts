import type { Channel } from '@ponte/contracts';
import { errors, jwtVerify, SignJWT } from 'jose';
import { createHmac, randomBytes } from 'node:crypto';
import { UnauthenticatedError } from '../http/problem.error';

/** Visitor tokens are HS256 like the agents' tokens, with their own type and audience: neither passes for the other. */
const ALGORITHM = 'HS256';
const TOKEN_TYPE = 'ponte-visitor+jwt';
export const VISITOR_TOKEN_AUDIENCE = 'ponte-webchat';

/** An address the website proved belongs to the visitor (identity verification). */
export interface VerifiedIdentity {
  channel: Extract<Channel, 'email' | 'sms'>;
  address: string;
}

/** Who a visitor token stands for. */
export interface Visitor {
  tenantId: string;
  inboxId: string;
  /** Opaque and random (`v_…`): the visitor's `webchat` address, so its identity in the router. */
  visitorId: string;
  /** The name the visitor or the website gave; shown to agents, never evidence of anything. */
  name?: string;
  verified: VerifiedIdentity[];
  /** Addresses the visitor gave without the website's proof: weak evidence, a merge suggestion for agents at most. */
  claimed: VerifiedIdentity[];
}

export interface IssuedVisitorToken {
  token: string;
  expiresAt: Date;
}

/** A new visitor id: 128 random bits, so no one can guess another visitor's conversation. */
export function newVisitorId(): string {
  return `v_${randomBytes(16).toString('base64url')}`;
}

/**
 * The key of visitor tokens, derived from the agents' token key so that one secret (GATEWAY_JWT_SECRET) serves every
 * instance, yet a visitor token is never signed with the very key of agent tokens.
 */
export function visitorTokenKey(accessTokenKey: Uint8Array): Uint8Array {
  return createHmac('sha256', accessTokenKey).update('ponte webchat visitor tokens v1').digest();
}

/**
 * Signs and verifies visitor tokens: who the visitor is (tenant, inbox, visitor id) and which of their identities the
 * website verified. Long-lived (GATEWAY_WEBCHAT_VISITOR_TTL_DAYS), because a returning visitor keeps their
 * conversation with it; it grants nothing but chatting as that visitor.
 */
export class VisitorTokens {
  constructor(
    private readonly settings: { key: Uint8Array; issuer: string; ttlSeconds: number },
    private readonly now: () => Date = () => new Date(),
  ) {}

  async issue(visitor: Visitor): Promise<IssuedVisitorToken> {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const expiresAt = issuedAt + this.settings.ttlSeconds;
    const token = await new SignJWT({
      tenantId: visitor.tenantId,
      inboxId: visitor.inboxId,
      ...(visitor.name ? { name: visitor.name } : {}),
      verified: visitor.verified,
      claimed: visitor.claimed,
    })
      .setProtectedHeader({ alg: ALGORITHM, typ: TOKEN_TYPE })
      .setIssuer(this.settings.issuer)
      .setAudience(VISITOR_TOKEN_AUDIENCE)
      .setSubject(visitor.visitorId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.settings.key);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  /** The visitor, or UnauthenticatedError ('expired' or 'invalid'). */
  async verify(token: string): Promise<Visitor> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.settings.key, {
        algorithms: [ALGORITHM],
        typ: TOKEN_TYPE,
        issuer: this.settings.issuer,
        audience: VISITOR_TOKEN_AUDIENCE,
        requiredClaims: ['sub', 'iat', 'exp'],
        currentDate: this.now(),
      }));
    } catch (error) {
      throw new UnauthenticatedError(error instanceof errors.JWTExpired ? 'expired' : 'invalid');
    }
    const visitor = readVisitor(payload);
    if (!visitor) throw new UnauthenticatedError('invalid');
    return visitor;
  }
}

function readVisitor(payload: Record<string, unknown>): Visitor | undefined {
  const { sub, tenantId, inboxId, name, verified, claimed = [] } = payload;
  if (
    typeof sub !== 'string' ||
    typeof tenantId !== 'string' ||
    typeof inboxId !== 'string' ||
    (name !== undefined && typeof name !== 'string') ||
    !Array.isArray(verified) ||
    !verified.every(isVerifiedIdentity) ||
    !Array.isArray(claimed) ||
    !claimed.every(isVerifiedIdentity)
  ) {
    return undefined;
  }
  return { tenantId, inboxId, visitorId: sub, ...(name ? { name } : {}), verified, claimed };
}

function isVerifiedIdentity(value: unknown): value is VerifiedIdentity {
  if (value === null || typeof value !== 'object') return false;
  const { channel, address } = value as Record<string, unknown>;
  return (channel === 'email' || channel === 'sms') && typeof address === 'string' && address.length > 0;
}
