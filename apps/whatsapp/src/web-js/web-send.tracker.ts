/** Which of our outbound messages a WhatsApp message is. */
export interface SentReference {
  messageId: string;
  conversationId: string;
  tenantId: string;
}

/**
 * The sends of one session, for the echo race: whatsapp-web.js emits `message_create` (and often the first
 * `message_ack`) for a message we send before `sendMessage` resolves with its id, so an event of our own number cannot
 * be told apart from a message typed on the phone until the sends in flight have settled. Events of our own number
 * wait for `settled()`; each send calls `begin()` before sending and settles after `remember()`ing the id it got.
 * The sent-message store is the lasting record; this is what makes an echo recognizable before that write, and
 * keeps the latest ids of this process (bounded).
 */
export class WebSendTracker {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly sent = new Map<string, SentReference>();

  constructor(private readonly capacity = 10_000) {}

  /** Returns the function that settles this send; call it in a `finally`. */
  begin(): () => void {
    let settle: () => void = () => undefined;
    const send = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.inFlight.add(send);
    return () => {
      this.inFlight.delete(send);
      settle();
    };
  }

  remember(externalId: string, reference: SentReference): void {
    this.sent.set(externalId, reference);
    if (this.sent.size > this.capacity) {
      const oldest = this.sent.keys().next().value;
      if (oldest !== undefined) this.sent.delete(oldest);
    }
  }

  referenceOf(externalId: string): SentReference | undefined {
    return this.sent.get(externalId);
  }

  get sending(): number {
    return this.inFlight.size;
  }

  /** Resolves once every send in flight now has settled, or after `timeoutMs` (a browser that hangs). */
  async settled(timeoutMs: number): Promise<void> {
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    try {
      await Promise.race([Promise.allSettled([...this.inFlight]), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
