import type { AgentRole } from '@ponte/contracts';
import type { Account } from './account.schema';

/** The part of an account every authenticated request checks. */
export interface AccountCredentials {
  tenantId: string;
  agentId: string;
  role: AgentRole;
  credentialsVersion: number;
  disabled: boolean;
}

interface Cached {
  credentials: AccountCredentials | null;
  loadedAt: number;
}

/**
 * Accounts' credentials, read per request and kept at most `ttlMs` (0: never kept). The instance that changes an
 * account evicts it at once; other instances see the change within `ttlMs`.
 */
export class AccountCredentialsCache {
  private readonly entries = new Map<string, Cached>();

  constructor(
    private readonly load: (accountId: string) => Promise<Account | null>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  async get(accountId: string): Promise<AccountCredentials | null> {
    const cached = this.entries.get(accountId);
    if (cached && this.now() - cached.loadedAt < this.ttlMs) return cached.credentials;
    const loadedAt = this.now();
    const account = await this.load(accountId);
    const credentials = account
      ? {
          tenantId: account.tenantId,
          agentId: account.agentId,
          role: account.role,
          credentialsVersion: account.credentialsVersion,
          disabled: account.disabled,
        }
      : null;
    if (this.ttlMs > 0) {
      this.entries.delete(accountId);
      this.entries.set(accountId, { credentials, loadedAt });
      const oldest = this.entries.keys().next();
      if (this.entries.size > this.maxEntries && !oldest.done) this.entries.delete(oldest.value);
    }
    return credentials;
  }

  evict(accountId: string): void {
    this.entries.delete(accountId);
  }
}
