import type { AccountChanges, AccountPage } from '../accounts/account.repository';
import { AccountRepository } from '../accounts/account.repository';
import type { Account } from '../accounts/account.schema';
import { PasswordHasher } from '../auth/password-hasher';
import { RefreshTokenRepository } from '../auth/refresh-token.repository';
import type { RefreshSession, RefreshToken, SessionRevocationReason } from '../auth/refresh-token.schema';
import { AccountConflictError } from '../http/problem.error';

export function buildAccount(overrides: Partial<Account> = {}): Account {
  const now = new Date('2025-06-01T12:00:00Z');
  return {
    _id: 'account-1',
    tenantId: 'tenant-1',
    agentId: 'solver-1',
    email: 'ana@ponte.example',
    displayName: 'Ana',
    role: 'solver',
    passwordHash: 'fake$right password',
    credentialsVersion: 1,
    disabled: false,
    createdAt: now,
    updatedAt: now,
    passwordChangedAt: now,
    ...overrides,
  };
}

/** Accounts in a map, with the unique keys of the real collection. */
export class InMemoryAccountRepository extends AccountRepository {
  readonly accounts = new Map<string, Account>();

  constructor(...accounts: Account[]) {
    super();
    for (const account of accounts) this.accounts.set(account._id, account);
  }

  async findById(id: string): Promise<Account | null> {
    return this.accounts.get(id) ?? null;
  }

  async findInTenant(tenantId: string, id: string): Promise<Account | null> {
    const account = this.accounts.get(id);
    return account?.tenantId === tenantId ? account : null;
  }

  async findByEmail(tenantId: string, email: string): Promise<Account | null> {
    return [...this.accounts.values()].find((a) => a.tenantId === tenantId && a.email === email) ?? null;
  }

  async hasAdmin(tenantId: string): Promise<boolean> {
    return [...this.accounts.values()].some((a) => a.tenantId === tenantId && a.role === 'admin');
  }

  async list(tenantId: string, limit: number, after?: string): Promise<AccountPage> {
    const all = [...this.accounts.values()]
      .filter((a) => a.tenantId === tenantId && (after === undefined || a.email > after))
      .sort((a, b) => a.email.localeCompare(b.email));
    const page = all.slice(0, limit);
    const last = page[page.length - 1];
    return { accounts: page, ...(all.length > limit && last ? { next: last.email } : {}) };
  }

  async insert(account: Account): Promise<Account> {
    const taken = [...this.accounts.values()].filter((a) => a.tenantId === account.tenantId);
    if (taken.some((a) => a.email === account.email)) throw new AccountConflictError('email');
    if (taken.some((a) => a.agentId === account.agentId)) throw new AccountConflictError('agentId');
    this.accounts.set(account._id, account);
    return account;
  }

  async update(tenantId: string, id: string, changes: AccountChanges): Promise<Account | null> {
    const account = await this.findInTenant(tenantId, id);
    if (!account) return null;
    const { bumpCredentials, ...fields } = changes;
    const updated = {
      ...account,
      ...fields,
      credentialsVersion: account.credentialsVersion + (bumpCredentials ? 1 : 0),
    };
    this.accounts.set(id, updated);
    return updated;
  }

  async rehash(id: string, previousHash: string, passwordHash: string): Promise<void> {
    const account = this.accounts.get(id);
    if (account?.passwordHash === previousHash) this.accounts.set(id, { ...account, passwordHash });
  }
}

/** `fake$<password>`: instant, and records which hashes were checked. */
export class FakePasswordHasher extends PasswordHasher {
  readonly verified: string[] = [];

  async hash(password: string): Promise<string> {
    return `fake$${password}`;
  }

  async verify(hash: string, password: string): Promise<boolean> {
    this.verified.push(hash);
    return hash === `fake$${password}`;
  }

  needsRehash(): boolean {
    return false;
  }
}

/** Refresh tokens and sessions in maps, with the unique `rotatedFrom` of the real collection. */
export class InMemoryRefreshTokenRepository extends RefreshTokenRepository {
  readonly sessions = new Map<string, RefreshSession>();
  readonly tokens = new Map<string, RefreshToken>();

  async createSession(session: RefreshSession): Promise<void> {
    this.sessions.set(session._id, session);
  }

  async findSession(id: string): Promise<RefreshSession | null> {
    return this.sessions.get(id) ?? null;
  }

  async extendSession(id: string, expiresAt: Date): Promise<void> {
    const session = this.sessions.get(id);
    if (session && session.expiresAt < expiresAt) this.sessions.set(id, { ...session, expiresAt });
  }

  async revokeSession(id: string, reason: SessionRevocationReason, at: Date): Promise<void> {
    const session = this.sessions.get(id);
    if (session && !session.revokedAt)
      this.sessions.set(id, { ...session, revokedAt: at, revokedReason: reason });
  }

  async insertToken(token: RefreshToken): Promise<'inserted' | 'duplicate'> {
    if ([...this.tokens.values()].some((t) => t.rotatedFrom === token.rotatedFrom)) return 'duplicate';
    this.tokens.set(token._id, token);
    return 'inserted';
  }

  async findToken(id: string): Promise<RefreshToken | null> {
    return this.tokens.get(id) ?? null;
  }

  async deleteExpired(now: Date): Promise<number> {
    let deleted = 0;
    for (const [id, token] of this.tokens) if (token.expiresAt < now && this.tokens.delete(id)) deleted += 1;
    for (const [id, session] of this.sessions)
      if (session.expiresAt < now && this.sessions.delete(id)) deleted += 1;
    return deleted;
  }
}
