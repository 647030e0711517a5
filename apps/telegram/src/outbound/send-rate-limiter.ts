import { setTimeout as delay } from 'node:timers/promises';

export type Sleep = (ms: number) => Promise<unknown>;

export interface SendRates {
  /** Per bot (Telegram: about 30 messages a second). */
  botPerSecond: number;
  /** Per private chat (Telegram: about one a second). */
  chatPerSecond: number;
  /** Per group chat, whose ids are negative (Telegram: 20 a minute). */
  groupPerMinute: number;
}

/** Slots older than this are forgotten, so the maps do not grow with every chat ever written to. */
const PRUNE_AT_SIZE = 10_000;

/**
 * Spaces the sends of each bot and of each of its chats, and holds a bot back for as long as a 429 asked. A slot is
 * reserved when asked for, so concurrent senders queue up fairly. Per process: with N instances the pace is N×, and
 * Telegram's 429s (honoured by `pause`) are the backstop.
 */
export class SendRateLimiter {
  private readonly nextForBot = new Map<string, number>();
  private readonly nextForChat = new Map<string, number>();
  private readonly pausedUntil = new Map<string, number>();
  private readonly botIntervalMs: number;
  private readonly chatIntervalMs: number;
  private readonly groupIntervalMs: number;

  constructor(
    rates: SendRates,
    private readonly now: () => number = Date.now,
    private readonly sleep: Sleep = delay,
  ) {
    this.botIntervalMs = 1_000 / rates.botPerSecond;
    this.chatIntervalMs = 1_000 / rates.chatPerSecond;
    this.groupIntervalMs = 60_000 / rates.groupPerMinute;
  }

  /** Resolves when the bot may send to the chat. */
  async acquire(botId: string, chatId: string): Promise<void> {
    const now = this.now();
    const chatKey = `${botId}/${chatId}`;
    const slot = Math.max(
      now,
      this.nextForBot.get(botId) ?? 0,
      this.nextForChat.get(chatKey) ?? 0,
      this.pausedUntil.get(botId) ?? 0,
    );
    this.nextForBot.set(botId, slot + this.botIntervalMs);
    this.nextForChat.set(
      chatKey,
      slot + (chatId.startsWith('-') ? this.groupIntervalMs : this.chatIntervalMs),
    );
    this.prune(now);
    if (slot > now) await this.sleep(slot - now);
    // A 429 may have come while this send waited for its slot.
    const paused = (this.pausedUntil.get(botId) ?? 0) - this.now();
    if (paused > 0) await this.sleep(paused);
  }

  /** Holds every send of the bot back for `ms` (Telegram's `retry_after`). */
  pause(botId: string, ms: number): void {
    const until = this.now() + ms;
    if (until > (this.pausedUntil.get(botId) ?? 0)) this.pausedUntil.set(botId, until);
  }

  private prune(now: number): void {
    if (this.nextForChat.size < PRUNE_AT_SIZE) return;
    for (const [key, next] of this.nextForChat) if (next <= now) this.nextForChat.delete(key);
  }
}
