import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Account } from '../accounts/account.schema';
import { InvalidRefreshTokenError, RefreshTokenReusedError } from '../http/problem.error';
import type { RefreshTokenRepository } from './refresh-token.repository';
import type { RefreshToken } from './refresh-token.schema';

/** `prt_` (so secret scanners and logs can tell it apart) and 256 random bits, base64url. */
export const REFRESH_TOKEN_PATTERN = /^prt_[A-Za-z0-9_-]{43}$/;

export interface IssuedRefreshToken {
  token: string;
  expiresAt: Date;
}

export interface RefreshSessionsSettings {
  ttlSeconds: number;
}

/** Reads the account a token belongs to, as it is now. */
export type AccountLookup = (accountId: string) => Promise<Account | null>;

/**
 * Opaque refresh tokens in sessions (token families, as in the OAuth 2.0 Security BCP, RFC 9700 §4.14.2): every use
 * returns a new token and retires the old one; presenting a retired token again means it was copied, so the whole
 * session is revoked and both holders must log in again. A token is only good while the account is enabled and has the
 * credentials version the token was issued under.
 */
export class RefreshSessions {
  constructor(
    private readonly repository: RefreshTokenRepository,
    private readonly settings: RefreshSessionsSettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A new session for a login, and its first token. */
  async start(account: Account): Promise<IssuedRefreshToken> {
    const now = this.now();
    const sessionId = randomUUID();
    const expiresAt = this.expiryFrom(now);
    await this.repository.createSession({
      _id: sessionId,
      tenantId: account.tenantId,
      accountId: account._id,
      createdAt: now,
      expiresAt,
      revokedAt: null,
      revokedReason: null,
    });
    const refresh = await this.issue(account, sessionId, `session:${sessionId}`, now);
    // The session id is new, so nothing can have rotated from it yet.
    if (refresh === 'reused') throw new Error(`refresh session ${sessionId} already had a first token`);
    return refresh;
  }

  /** Exchanges a refresh token for a new one; the account it returns is read fresh for the new access token. */
  async rotate(
    presented: string,
    lookup: AccountLookup,
  ): Promise<{ account: Account; refresh: IssuedRefreshToken }> {
    const now = this.now();
    const record = await this.find(presented, now);
    const account = await lookup(record.accountId);
    if (
      !account ||
      account.disabled ||
      account.tenantId !== record.tenantId ||
      account.credentialsVersion !== record.credentialsVersion
    ) {
      await this.repository.revokeSession(record.sessionId, 'credentials-changed', now);
      throw new InvalidRefreshTokenError();
    }
    const refresh = await this.issue(account, record.sessionId, record._id, now);
    if (refresh === 'reused') {
      await this.repository.revokeSession(record.sessionId, 'reuse', now);
      throw new RefreshTokenReusedError();
    }
    // A reuse detected by a concurrent exchange may have revoked the session since it was read.
    const session = await this.repository.findSession(record.sessionId);
    if (!session || session.revokedAt) throw new InvalidRefreshTokenError();
    await this.repository.extendSession(record.sessionId, refresh.expiresAt);
    return { account, refresh };
  }

  /** Ends the session of a refresh token (logout). Unknown or already ended sessions are fine: logout is idempotent. */
  async end(presented: string): Promise<void> {
    if (!REFRESH_TOKEN_PATTERN.test(presented)) return;
    const record = await this.repository.findToken(hashRefreshToken(presented));
    if (record) await this.repository.revokeSession(record.sessionId, 'logout', this.now());
  }

  private async find(presented: string, now: Date): Promise<RefreshToken> {
    if (!REFRESH_TOKEN_PATTERN.test(presented)) throw new InvalidRefreshTokenError();
    const record = await this.repository.findToken(hashRefreshToken(presented));
    if (!record || record.expiresAt.getTime() <= now.getTime()) throw new InvalidRefreshTokenError();
    const session = await this.repository.findSession(record.sessionId);
    if (!session || session.revokedAt) throw new InvalidRefreshTokenError();
    return record;
  }

  private async issue(
    account: Account,
    sessionId: string,
    rotatedFrom: string,
    now: Date,
  ): Promise<IssuedRefreshToken | 'reused'> {
    const token = `prt_${randomBytes(32).toString('base64url')}`;
    const expiresAt = this.expiryFrom(now);
    const outcome = await this.repository.insertToken({
      _id: hashRefreshToken(token),
      sessionId,
      rotatedFrom,
      tenantId: account.tenantId,
      accountId: account._id,
      credentialsVersion: account.credentialsVersion,
      createdAt: now,
      expiresAt,
    });
    return outcome === 'duplicate' ? 'reused' : { token, expiresAt };
  }

  private expiryFrom(now: Date): Date {
    return new Date(now.getTime() + this.settings.ttlSeconds * 1000);
  }
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
