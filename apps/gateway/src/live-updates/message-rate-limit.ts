/**
 * A fixed one-minute window of client messages for one socket: enough to stop a client that floods typing or
 * subscriptions, without a shared store (a socket lives on one instance).
 */
export class MessageRateLimit {
  private windowStart: number;
  private count = 0;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.windowStart = now();
  }

  /** Counts one message: 0 when it may go through, else the seconds until the window ends. */
  take(): number {
    const now = this.now();
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.count = 0;
    }
    if (this.count >= this.perMinute) return (this.windowStart + 60_000 - now) / 1000;
    this.count += 1;
    return 0;
  }
}
