import type { LedgerEntry, LedgerStart, OutboundLedgerStore } from '../outbound/outbound-ledger.store';

/**
 * An in-memory stand-in for OutboundLedgerStore, for unit tests of the channel services' senders (their integration
 * tests use the real store). Same answers: `start` once per message, `claimAttempt` once per message and attempt.
 */
export class InMemoryOutboundLedger implements Pick<
  OutboundLedgerStore,
  'get' | 'start' | 'claimAttempt' | 'update'
> {
  readonly entries = new Map<string, LedgerEntry>();
  private readonly claimed = new Set<string>();

  async get(messageId: string): Promise<LedgerEntry | null> {
    return this.entries.get(messageId) ?? null;
  }

  async start(messageId: string, entry: LedgerStart): Promise<boolean> {
    if (this.entries.has(messageId)) return false;
    this.entries.set(messageId, {
      _id: messageId,
      state: entry.state ?? 'sending',
      ...(entry.provider === undefined ? {} : { provider: entry.provider }),
      attempts: entry.state === 'failed' ? 0 : 1,
      from: entry.from,
      to: entry.to,
      updatedAt: new Date(),
    });
    return true;
  }

  async claimAttempt(messageId: string, attempt: number): Promise<boolean> {
    const key = `${messageId}|${attempt}`;
    if (this.claimed.has(key)) return false;
    this.claimed.add(key);
    return true;
  }

  async update(messageId: string, changes: Partial<Omit<LedgerEntry, '_id'>>): Promise<void> {
    const entry = this.entries.get(messageId);
    if (entry) this.entries.set(messageId, { ...entry, ...changes, updatedAt: new Date() });
  }

  /** Typed as the store, for the constructors that take one. */
  asStore(): OutboundLedgerStore {
    return this as unknown as OutboundLedgerStore;
  }
}
