export interface LoginBackoffSettings {
  /** Consecutive failures allowed before the waits start. */
  afterFailures: number;
  /** The longest wait, in seconds. */
  maxSeconds: number;
  /** Keys remembered at most (the oldest are forgotten first), so a flood of made-up e-mails cannot exhaust memory. */
  maxEntries?: number;
}

interface Failures {
  count: number;
  /** No attempt is checked before this time (ms since epoch). */
  blockedUntil: number;
  lastFailureAt: number;
}

/**
 * Lockout-style backoff on failed logins, per login key (tenant + e-mail, whether the account exists or not — the
 * answer must not tell). After `afterFailures` consecutive failures, each further failure closes the key for twice as
 * long as the previous one (1 s, 2 s, 4 s… up to `maxSeconds`); an attempt while it is closed is refused without
 * checking the password. A success clears the key. Kept in memory: per gateway instance, like the rate limits.
 */
export class LoginBackoff {
  private readonly entries = new Map<string, Failures>();
  private readonly maxEntries: number;

  constructor(
    private readonly settings: LoginBackoffSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.maxEntries = settings.maxEntries ?? 100_000;
  }

  /** Seconds to wait before the key may try again, or 0 when it may try now. */
  retryAfterSeconds(key: string): number {
    const entry = this.entries.get(key);
    if (!entry) return 0;
    const now = this.now();
    if (this.isForgotten(entry, now)) {
      this.entries.delete(key);
      return 0;
    }
    return entry.blockedUntil > now ? Math.ceil((entry.blockedUntil - now) / 1000) : 0;
  }

  recordFailure(key: string): void {
    const now = this.now();
    const previous = this.entries.get(key);
    const count = previous && !this.isForgotten(previous, now) ? previous.count + 1 : 1;
    const excess = count - this.settings.afterFailures;
    const waitSeconds = excess > 0 ? Math.min(2 ** (excess - 1), this.settings.maxSeconds) : 0;
    // Re-inserted so the map stays in order of last failure: the first entries are the ones to forget.
    this.entries.delete(key);
    this.entries.set(key, { count, blockedUntil: now + waitSeconds * 1000, lastFailureAt: now });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  recordSuccess(key: string): void {
    this.entries.delete(key);
  }

  /** A key without failures for twice the longest wait starts from zero again. */
  private isForgotten(entry: Failures, now: number): boolean {
    return now - entry.lastFailureAt > 2 * this.settings.maxSeconds * 1000;
  }
}
