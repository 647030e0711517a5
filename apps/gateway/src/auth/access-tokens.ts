import { AGENT_ROLES, type AgentRole } from '@ponte/contracts';
import { errors, jwtVerify, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { UnauthenticatedError } from '../http/problem.error';

/** The one algorithm access tokens are signed and verified with (RFC 8725 §3.1: an allowlist, not the header's word). */
export const ACCESS_TOKEN_ALGORITHM = 'HS256';
/** RFC 9068's media type for JWT access tokens, checked on verification (RFC 8725 §3.11: explicit typing). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface AccessTokenSettings {
  /** The HS256 key, at least 32 bytes. */
  key: Uint8Array;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  clockToleranceSeconds: number;
}

/** What an access token says about its holder (the account as it was when the token was issued). */
export interface AccessTokenSubject {
  accountId: string;
  tenantId: string;
  agentId: string;
  role: AgentRole;
  credentialsVersion: number;
}

/** A token whose signature, algorithm, type, issuer, audience and validity period were checked. */
export interface VerifiedAccessToken extends AccessTokenSubject {
  tokenId: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface IssuedAccessToken {
  token: string;
  expiresAt: Date;
}

/**
 * Signs and verifies the gateway's access tokens: HS256 JWTs (RFC 7519) with `typ: at+jwt`, issuer, audience, subject
 * (the account id), `iat`/`nbf`/`exp`, a unique `jti`, and the private claims tenantId, agentId, role and
 * credentialsVersion. Verification follows RFC 8725: the algorithm is pinned (so `alg: none`, HS512, RS256… are
 * refused), and iss, aud, exp, nbf and typ must all be present and right. Whether the credentials version is still the
 * account's current one is the AgentAuthenticator's check, which needs the database.
 */
export class AccessTokens {
  constructor(
    private readonly settings: AccessTokenSettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async issue(subject: AccessTokenSubject): Promise<IssuedAccessToken> {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const expiresAt = issuedAt + this.settings.ttlSeconds;
    const token = await new SignJWT({
      tenantId: subject.tenantId,
      agentId: subject.agentId,
      role: subject.role,
      credentialsVersion: subject.credentialsVersion,
    })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setSubject(subject.accountId)
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.settings.key);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  /** The token's claims, or UnauthenticatedError ('expired' or 'invalid') when anything about it is wrong. */
  async verify(token: string): Promise<VerifiedAccessToken> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.settings.key, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        typ: ACCESS_TOKEN_TYPE,
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        clockTolerance: this.settings.clockToleranceSeconds,
        requiredClaims: ['sub', 'jti', 'iat', 'nbf', 'exp'],
        currentDate: this.now(),
      }));
    } catch (error) {
      throw new UnauthenticatedError(error instanceof errors.JWTExpired ? 'expired' : 'invalid');
    }
    const claims = readClaims(payload);
    if (!claims) throw new UnauthenticatedError('invalid');
    return claims;
  }
}

function readClaims(payload: Record<string, unknown>): VerifiedAccessToken | undefined {
  const { sub, jti, iat, exp, tenantId, agentId, role, credentialsVersion } = payload;
  if (
    typeof sub !== 'string' ||
    typeof jti !== 'string' ||
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    typeof tenantId !== 'string' ||
    typeof agentId !== 'string' ||
    typeof role !== 'string' ||
    !(AGENT_ROLES as readonly string[]).includes(role) ||
    typeof credentialsVersion !== 'number' ||
    !Number.isInteger(credentialsVersion)
  ) {
    return undefined;
  }
  return {
    accountId: sub,
    tokenId: jti,
    tenantId,
    agentId,
    role: role as AgentRole,
    credentialsVersion,
    issuedAt: new Date(iat * 1000),
    expiresAt: new Date(exp * 1000),
  };
}
