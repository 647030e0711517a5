import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AccountView } from '../accounts/account.dto';
import { AccountCredentialsCache } from '../accounts/account-credentials.cache';
import { AccountRepository } from '../accounts/account.repository';
import type { Account } from '../accounts/account.schema';
import { GatewayConfig } from '../config/gateway.config';
import {
  InvalidCredentialsError,
  TooManyRequestsError,
  UnauthenticatedError,
  WeakPasswordError,
  WrongCurrentPasswordError,
} from '../http/problem.error';
import { AccessTokens } from './access-tokens';
import type { AgentPrincipal } from './agent-principal';
import type { TokenPairView } from './auth.dto';
import { LoginBackoff } from './login-backoff';
import { PasswordHasher } from './password-hasher';
import { passwordProblems } from './password-policy';
import type { IssuedRefreshToken } from './refresh-sessions';
import { RefreshSessions } from './refresh-sessions';

export interface LoginAttempt {
  tenantId: string;
  /** Normalized. */
  email: string;
  password: string;
}

/** The key of the per-e-mail limits: the same for an account that exists and one that does not. */
export function loginKey(tenantId: string, email: string): string {
  return `${tenantId}|${email}`;
}

/**
 * Login, refresh, logout and the change of one's own password. A failed login gives one answer whatever failed
 * (unknown e-mail, wrong password, disabled account) and takes about as long: an unknown e-mail is checked against a
 * dummy hash made with the same parameters.
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly accounts: AccountRepository,
    private readonly hasher: PasswordHasher,
    private readonly accessTokens: AccessTokens,
    private readonly sessions: RefreshSessions,
    private readonly backoff: LoginBackoff,
    private readonly credentials: AccountCredentialsCache,
    private readonly config: GatewayConfig,
  ) {}

  async login({ tenantId, email, password }: LoginAttempt): Promise<TokenPairView> {
    const key = loginKey(tenantId, email);
    this.refuseWhileBackingOff(key);
    const account = await this.accounts.findByEmail(tenantId, email);
    const matches = await this.hasher.verify(account?.passwordHash ?? (await this.dummy()), password);
    if (!account || !matches || account.disabled) {
      this.backoff.recordFailure(key);
      throw new InvalidCredentialsError();
    }
    this.backoff.recordSuccess(key);
    await this.upgradeHash(account, password);
    return this.tokenPair(account, await this.sessions.start(account));
  }

  async refresh(refreshToken: string): Promise<TokenPairView> {
    const { account, refresh } = await this.sessions.rotate(refreshToken, (id) => this.accounts.findById(id));
    return this.tokenPair(account, refresh);
  }

  logout(refreshToken: string): Promise<void> {
    return this.sessions.end(refreshToken);
  }

  /**
   * Changes the caller's password after checking the current one (failures count towards the login backoff, so a
   * stolen access token cannot be used to guess it). Every earlier token of the account is revoked; the caller gets a
   * new pair.
   */
  async changePassword(
    principal: AgentPrincipal,
    currentPassword: string,
    newPassword: string,
  ): Promise<TokenPairView> {
    const account = await this.accounts.findInTenant(principal.tenantId, principal.accountId);
    if (!account) throw new UnauthenticatedError('revoked');
    const key = loginKey(account.tenantId, account.email);
    this.refuseWhileBackingOff(key);
    if (!(await this.hasher.verify(account.passwordHash, currentPassword))) {
      this.backoff.recordFailure(key);
      throw new WrongCurrentPasswordError();
    }
    this.backoff.recordSuccess(key);
    const problems = passwordProblems(newPassword, account, this.config.passwordPolicy);
    if (newPassword === currentPassword) problems.push('it must differ from the current password');
    if (problems.length > 0) throw new WeakPasswordError('newPassword', problems);
    const updated = await this.accounts.update(account.tenantId, account._id, {
      passwordHash: await this.hasher.hash(newPassword),
      bumpCredentials: true,
    });
    this.credentials.evict(account._id);
    if (!updated) throw new UnauthenticatedError('revoked');
    return this.tokenPair(updated, await this.sessions.start(updated));
  }

  private refuseWhileBackingOff(key: string): void {
    const wait = this.backoff.retryAfterSeconds(key);
    if (wait > 0) throw new TooManyRequestsError(wait);
  }

  /** Made once, lazily, with the current parameters, from a password nobody knows. */
  private dummy(): Promise<string> {
    this.dummyHash ??= this.hasher.hash(randomBytes(32).toString('base64url'));
    return this.dummyHash;
  }

  /** Rehashes with the current parameters after they were raised; a failure only delays that to the next login. */
  private async upgradeHash(account: Account, password: string): Promise<void> {
    if (!this.hasher.needsRehash(account.passwordHash)) return;
    try {
      await this.accounts.rehash(account._id, account.passwordHash, await this.hasher.hash(password));
    } catch (error) {
      this.logger.warn({ err: error, accountId: account._id }, 'could not upgrade a password hash');
    }
  }

  private async tokenPair(account: Account, refresh: IssuedRefreshToken): Promise<TokenPairView> {
    const access = await this.accessTokens.issue({
      accountId: account._id,
      tenantId: account.tenantId,
      agentId: account.agentId,
      role: account.role,
      credentialsVersion: account.credentialsVersion,
    });
    return {
      tokenType: 'Bearer',
      accessToken: access.token,
      expiresIn: this.config.GATEWAY_ACCESS_TOKEN_TTL_SECONDS,
      accessTokenExpiresAt: access.expiresAt.toISOString(),
      refreshToken: refresh.token,
      refreshTokenExpiresAt: refresh.expiresAt.toISOString(),
      account: AccountView.of(account),
    };
  }
}
