import { Injectable, Logger } from '@nestjs/common';
import {
  createEnvelope,
  type DeliveryState,
  type DeliveryStatus,
  type EnvelopeOf,
  messageKey,
  type OutboundMessage,
  type OutboundTopicName,
  type ProviderError,
  Topics,
} from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { setTimeout as delay } from 'node:timers/promises';
import { SmsConfig } from '../config/sms.config';
import { SMS_SOURCE } from '../inbound/inbound-message.service';
import { type LedgerEntry, OutboundLedgerStore } from './outbound-ledger.store';
import { SenderRateLimiter } from './sender-rate-limiter';
import { SendFailure, SmsProvider } from './sms-provider.port';

export type SendOutcome = 'sent' | 'failed' | 'replayed' | 'not-ours' | 'in-flight-elsewhere';

/** Twilio's WhatsApp senders are `whatsapp:+E164`; other WhatsApp accounts belong to apps/whatsapp. */
export function isTwilioAccount(message: OutboundMessage): boolean {
  return message.channel === 'sms' || message.channelAccountId.toLowerCase().startsWith('whatsapp:');
}

/**
 * Sends an outbound message through the provider at most once per message id, and reports what became of it.
 *
 * The ledger is written before every call (`sending`) and after the answer. A replayed event therefore finds:
 * `sent`/`failed` → the status is published again (the crash may have come before it), nothing is sent; `retrying` →
 * the earlier attempts were certainly refused, so sending resumes; `sending` → we crashed while Twilio had the
 * request and cannot know whether it sent it. Twilio's Messages API has no idempotency key, so sending again could
 * text the customer twice: we choose at-most-once and report `failed` with PONTE_SEND_UNCERTAIN, so the agent
 * checks and resends. If Twilio did send it, its status callbacks still arrive and a `delivered` outranks `failed`.
 */
@Injectable()
export class OutboundSenderService {
  private readonly logger = new Logger(OutboundSenderService.name);
  private readonly limiter: SenderRateLimiter;

  constructor(
    private readonly config: SmsConfig,
    private readonly provider: SmsProvider,
    private readonly ledger: OutboundLedgerStore,
    private readonly bus: MessageBus,
  ) {
    this.limiter = new SenderRateLimiter(config.SMS_SENDER_MESSAGES_PER_SECOND);
  }

  async handle(envelope: EnvelopeOf<OutboundTopicName>): Promise<SendOutcome> {
    const message = envelope.data;
    if (!isTwilioAccount(message)) return 'not-ours';
    const tenantId = envelope.tenantId;
    const existing = await this.ledger.get(message.messageId);
    if (existing && existing.state !== 'retrying') return this.replay(tenantId, message, existing);

    const from = message.channelAccountId;
    const to = recipientOf(message);
    const refusal = refusalOf(message, to);
    if (refusal || to === undefined) {
      if (!existing && !(await this.ledger.start(message.messageId, from, to ?? message.to.address))) {
        return 'in-flight-elsewhere';
      }
      await this.fail(tenantId, message, refusal ?? unsupportedAddress(message));
      return 'failed';
    }
    let attempt = existing?.attempts ?? 0;
    for (;;) {
      attempt += 1;
      await this.limiter.acquire(from);
      if (attempt === 1) {
        if (!(await this.ledger.start(message.messageId, from, to))) return 'in-flight-elsewhere';
      } else {
        await this.ledger.update(message.messageId, { state: 'sending', attempts: attempt });
      }
      try {
        const accepted = await this.provider.send({
          from,
          to: to,
          ...(message.content.text ? { body: message.content.text } : {}),
          statusCallbackUrl: this.statusCallbackUrl(tenantId, message),
        });
        await this.ledger.update(message.messageId, {
          state: 'sent',
          externalId: accepted.externalId,
          deliveryState: accepted.state,
        });
        await this.publish(tenantId, message, accepted.state, { externalId: accepted.externalId });
        this.logger.log(
          {
            messageId: message.messageId,
            conversationId: message.conversationId,
            messageSid: accepted.externalId,
            attempt,
          },
          'outbound message accepted by Twilio',
        );
        return 'sent';
      } catch (error) {
        const failure =
          error instanceof SendFailure
            ? error
            : new SendFailure('uncertain', 'PONTE_SEND_UNCERTAIN', String(error));
        if (failure.kind === 'retryable' && attempt < this.config.SMS_SEND_MAX_ATTEMPTS) {
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
            'Twilio refused the send for now, retrying',
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
          message: 'The sms service stopped while Twilio had this message; it may or may not have been sent',
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
    const envelope = createEnvelope(Topics.deliveryStatus, status, { source: SMS_SOURCE, tenantId });
    await this.bus.publish(Topics.deliveryStatus, envelope, {
      key: messageKey(Topics.deliveryStatus, status),
    });
  }

  private statusCallbackUrl(tenantId: string, message: OutboundMessage): string {
    const query = new URLSearchParams({
      messageId: message.messageId,
      conversationId: message.conversationId,
      tenantId,
    });
    return `${this.config.SMS_PUBLIC_BASE_URL}/webhooks/twilio/status?${query.toString()}`;
  }

  private backoffMs(attempt: number): number {
    const exponential = this.config.SMS_SEND_INITIAL_BACKOFF_MS * 2 ** (attempt - 1);
    return Math.min(exponential, this.config.SMS_SEND_MAX_BACKOFF_MS);
  }
}

/** Twilio's address of the customer: the E.164 number, prefixed `whatsapp:` on WhatsApp. */
function recipientOf(message: OutboundMessage): string | undefined {
  const address = message.to.address.trim();
  if (message.channel === 'sms') return address;
  if (address.toLowerCase().startsWith('whatsapp:')) return address;
  const digits = address.replace(/@(c\.us|s\.whatsapp\.net)$/, '');
  if (!/^\+?\d{6,20}$/.test(digits)) return undefined;
  return `whatsapp:${digits.startsWith('+') ? digits : `+${digits}`}`;
}

/** Messages this service cannot send, refused before calling Twilio. */
function refusalOf(message: OutboundMessage, to: string | undefined): ProviderError | undefined {
  if (!to) return unsupportedAddress(message);
  if (message.attachments && message.attachments.length > 0) {
    return {
      code: 'PONTE_ATTACHMENTS_UNSUPPORTED',
      message: 'The sms service does not send attachments yet',
      retryable: false,
    };
  }
  return undefined;
}

function unsupportedAddress(message: OutboundMessage): ProviderError {
  return {
    code: 'PONTE_UNSUPPORTED_ADDRESS',
    message: `Twilio cannot send to ${message.to.address} (a WhatsApp linked id has no phone number)`,
    retryable: false,
  };
}
