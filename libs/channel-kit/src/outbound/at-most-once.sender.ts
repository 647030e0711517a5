import type { Logger } from '@nestjs/common';
import {
  createEnvelope,
  type DeliveryState,
  type DeliveryStatus,
  messageKey,
  type OutboundMessage,
  type ProviderError,
  Topics,
} from '@ponte/contracts';
import type { MessageBus } from '@ponte/messaging';
import { setTimeout as delay } from 'node:timers/promises';
import type { LedgerEntry, LedgerStart, OutboundLedgerStore } from './outbound-ledger.store';
import { SendFailure, type SendAccepted } from './send-failure';

export type SendOutcome = 'sent' | 'failed' | 'replayed' | 'not-ours' | 'in-flight-elsewhere';

/** What the ledger records of a message besides its state: who sends it, from and to which address. */
export type LedgerRecord = Omit<LedgerStart, 'state'>;

/**
 * One message as its channel service prepared it, once the ledger showed it was not handled yet: either refused
 * before calling the provider (an address it cannot reach, attachments, a closed window), or ready to send.
 */
export type PreparedSend =
  | { record: LedgerRecord; refusal: ProviderError }
  | {
      record: LedgerRecord;
      refusal?: undefined;
      /** One call to the provider. Throws SendFailure; anything else counts as `uncertain`. */
      send(): Promise<SendAccepted>;
      /** Awaited before each attempt, before the ledger is written (a per-sender rate limit). */
      beforeAttempt?(): Promise<void>;
      /** Awaited once the provider accepted, before the ledger says `sent` (e.g. the way back from its id). */
      afterAccepted?(accepted: SendAccepted): Promise<void>;
      /** Fields of the "accepted" log line, besides the message's ids and the attempt. */
      logFields?(accepted: SendAccepted): Record<string, unknown>;
    };

export interface AtMostOnceSenderOptions {
  /** The CloudEvents source of the delivery statuses (`/ponte/sms`). */
  source: string;
  /** Who accepts or refuses the sends, in log lines: `Twilio`, `WhatsApp`. */
  providerName: string;
  /** The error message reported when a replay finds a send a crash interrupted (PONTE_SEND_UNCERTAIN). */
  interruptedSendMessage: string;
  /** Attempts of one send on retryable failures, the first included. */
  maxAttempts: number;
  /** Doubled after each retryable failure, up to maxBackoffMs. */
  initialBackoffMs: number;
  maxBackoffMs: number;
}

/**
 * Sends an outbound message through a provider at most once per message id, and reports what became of it on
 * `ponte.delivery-status`.
 *
 * The ledger is written before every call (`sending`) and after the answer. A replayed event therefore finds:
 * `sent`/`failed` → the status is published again (the crash may have come before it), nothing is sent; `retrying` →
 * the earlier attempts were certainly refused, so sending resumes (each later attempt is claimed in the ledger first,
 * so two consumers holding the same message never both resume it); `sending` → we crashed while the provider had the
 * request and cannot know whether it sent it. Neither Twilio's Messages API nor the Cloud API has an idempotency key,
 * so sending again could message the customer twice: we choose at-most-once and report `failed` with
 * PONTE_SEND_UNCERTAIN, so the agent checks and resends. If the provider did send it, its statuses still arrive and a
 * `delivered` outranks `failed`.
 *
 * The channel service keeps what is its own: which messages are its, addresses, refusals, the request, the provider
 * and its error classification (SendFailure).
 */
export class AtMostOnceSender {
  constructor(
    private readonly ledger: OutboundLedgerStore,
    private readonly bus: MessageBus,
    private readonly logger: Logger,
    private readonly options: AtMostOnceSenderOptions,
  ) {}

  /** `prepare` runs only when the ledger has no final record of the message (a replay never calls the provider). */
  async send(
    tenantId: string,
    message: OutboundMessage,
    prepare: () => PreparedSend | Promise<PreparedSend>,
  ): Promise<SendOutcome> {
    const existing = await this.ledger.get(message.messageId);
    if (existing && existing.state !== 'retrying') return this.replay(tenantId, message, existing);

    const prepared = await prepare();
    if (prepared.refusal) {
      if (
        !existing &&
        !(await this.ledger.start(message.messageId, { ...prepared.record, state: 'failed' }))
      ) {
        return 'in-flight-elsewhere';
      }
      await this.fail(tenantId, message, prepared.refusal);
      return 'failed';
    }
    let attempt = existing?.attempts ?? 0;
    for (;;) {
      attempt += 1;
      await prepared.beforeAttempt?.();
      if (attempt === 1) {
        if (!(await this.ledger.start(message.messageId, prepared.record))) return 'in-flight-elsewhere';
      } else {
        if (!(await this.ledger.claimAttempt(message.messageId, attempt))) return 'in-flight-elsewhere';
        await this.ledger.update(message.messageId, { state: 'sending', attempts: attempt });
      }
      try {
        const accepted = await prepared.send();
        await prepared.afterAccepted?.(accepted);
        await this.ledger.update(message.messageId, {
          state: 'sent',
          attempts: attempt,
          externalId: accepted.externalId,
          deliveryState: accepted.state,
        });
        await this.publish(tenantId, message, accepted.state, { externalId: accepted.externalId });
        this.logger.log(
          {
            messageId: message.messageId,
            conversationId: message.conversationId,
            ...prepared.logFields?.(accepted),
            attempt,
          },
          `outbound message accepted by ${this.options.providerName}`,
        );
        return 'sent';
      } catch (error) {
        const failure =
          error instanceof SendFailure
            ? error
            : new SendFailure('uncertain', 'PONTE_SEND_UNCERTAIN', String(error));
        if (failure.kind === 'retryable' && attempt < this.options.maxAttempts) {
          await this.ledger.update(message.messageId, {
            state: 'retrying',
            error: { code: failure.code, message: failure.message },
          });
          this.logger.warn(
            {
              messageId: message.messageId,
              conversationId: message.conversationId,
              attempt,
              code: failure.code,
            },
            `${this.options.providerName} refused the send for now, retrying`,
          );
          await delay(this.backoffMs(attempt));
          continue;
        }
        await this.fail(tenantId, message, {
          code: failure.code,
          message: failure.message,
          // An exhausted retryable failure may succeed later; a permanent or uncertain one must not be resent blindly.
          retryable: failure.kind === 'retryable',
        });
        return 'failed';
      }
    }
  }

  private async replay(tenantId: string, message: OutboundMessage, entry: LedgerEntry): Promise<SendOutcome> {
    this.logger.log(
      { messageId: message.messageId, conversationId: message.conversationId, state: entry.state },
      'replayed outbound message: not sending again',
    );
    switch (entry.state) {
      case 'sent':
        await this.publish(tenantId, message, entry.deliveryState ?? 'queued', {
          ...(entry.externalId ? { externalId: entry.externalId } : {}),
        });
        return 'replayed';
      case 'failed':
        await this.publish(tenantId, message, 'failed', {
          error: { ...(entry.error ?? { code: 'unknown', message: 'failed' }), retryable: false },
        });
        return 'replayed';
      case 'sending':
        await this.fail(tenantId, message, {
          code: 'PONTE_SEND_UNCERTAIN',
          message: this.options.interruptedSendMessage,
          retryable: false,
        });
        return 'replayed';
      case 'retrying':
        throw new Error('a retrying entry resumes sending, it is not a replay');
    }
  }

  private async fail(tenantId: string, message: OutboundMessage, error: ProviderError): Promise<void> {
    await this.ledger.update(message.messageId, {
      state: 'failed',
      error: { code: error.code, message: error.message },
    });
    await this.publish(tenantId, message, 'failed', { error });
    this.logger.warn(
      { messageId: message.messageId, conversationId: message.conversationId, code: error.code },
      `outbound message failed: ${error.message}`,
    );
  }

  private async publish(
    tenantId: string,
    message: OutboundMessage,
    state: DeliveryState,
    extra: Pick<DeliveryStatus, 'externalId' | 'error'>,
  ): Promise<void> {
    const status: DeliveryStatus = {
      messageId: message.messageId,
      conversationId: message.conversationId,
      channel: message.channel,
      channelAccountId: message.channelAccountId,
      state,
      occurredAt: new Date().toISOString(),
      ...(extra.externalId ? { externalId: extra.externalId } : {}),
      ...(extra.error ? { error: extra.error } : {}),
    };
    const envelope = createEnvelope(Topics.deliveryStatus, status, { source: this.options.source, tenantId });
    await this.bus.publish(Topics.deliveryStatus, envelope, {
      key: messageKey(Topics.deliveryStatus, status),
    });
  }

  private backoffMs(attempt: number): number {
    const exponential = this.options.initialBackoffMs * 2 ** (attempt - 1);
    return Math.min(exponential, this.options.maxBackoffMs);
  }
}
