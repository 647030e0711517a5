import { setTimeout as delay } from 'node:timers/promises';

export type Sleep = (ms: number) => Promise<unknown>;

/**
 * Spaces the sends of each sender number (Twilio delivers 1 message/s per long code and queues the excess, which
 * delays statuses and, past its queue limit, fails sends with 30001). Per process: with N instances the pace is N×.
 */
export class SenderRateLimiter {
  private readonly nextSlot = new Map<string, number>();
  private readonly intervalMs: number;

  constructor(
    messagesPerSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: Sleep = delay,
  ) {
    this.intervalMs = 1000 / messagesPerSecond;
  }

  /** Resolves when the sender may send; the slot is reserved at call time, so concurrent callers queue up fairly. */
  async acquire(sender: string): Promise<void> {
    const now = this.now();
    const slot = Math.max(now, this.nextSlot.get(sender) ?? 0);
    this.nextSlot.set(sender, slot + this.intervalMs);
    if (slot > now) await this.sleep(slot - now);
  }
}
