import { Injectable, Logger } from '@nestjs/common';
import {
  createEnvelope,
  type DeliveryState,
  type DeliveryStatus,
  type EnvelopeOf,
  messageKey,
  type OutboundMessage,
  type ProviderError,
  Topics,
} from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { setTimeout as delay } from 'node:timers/promises';
import { WhatsappConfig } from '../config/whatsapp.config';
import {
  SendFailure,
  type WhatsAppProvider,
  type WhatsAppSendRequest,
  type WhatsAppTemplate,
} from '../provider/whatsapp-provider.port';
import { isTwilioAccount, WhatsAppProviderRegistry } from '../provider/whatsapp-provider.registry';
import { type LedgerEntry, OutboundLedgerStore } from './outbound-ledger.store';
import { SentMessageStore } from './sent-message.store';
import { WHATSAPP_SOURCE } from '../whatsapp.source';

export type SendOutcome = 'sent' | 'failed' | 'replayed' | 'not-ours' | 'in-flight-elsewhere';

/**
 * An outbound message as this service reads it: the contract's, plus the template it will carry once the contract
 * has one (see README). The codec strips unknown fields, so today only in-process callers can set it.
 */
export type WhatsAppOutboundMessage = OutboundMessage & { template?: WhatsAppTemplate };

/**
 * Sends an outbound WhatsApp message through its provider at most once per message id, and reports what became of it.
 *
 * The ledger is written before every call (`sending`) and after the answer. A replayed event therefore finds:
 * `sent`/`failed` → the status is published again (the crash may have come before it), nothing is sent; `retrying` →
 * the earlier attempts were certainly refused, so sending resumes; `sending` → we crashed while Meta had the request
 * and cannot know whether it sent it. The Cloud API has no idempotency key, so sending again could message the
 * customer twice: we choose at-most-once and report `failed` with PONTE_SEND_UNCERTAIN, so the agent checks and
 * resends. If Meta did send it, its statuses still arrive (attributed through `biz_opaque_callback_data`) and a
 * `delivered` outranks `failed`.
 */
@Injectable()
export class OutboundSenderService {
  private readonly logger = new Logger(OutboundSenderService.name);

  constructor(
    private readonly config: WhatsappConfig,
    private readonly providers: WhatsAppProviderRegistry,
    private readonly ledger: OutboundLedgerStore,
    private readonly sentMessages: SentMessageStore,
    private readonly bus: MessageBus,
  ) {}

  async handle(envelope: EnvelopeOf<typeof Topics.outbound.whatsapp>): Promise<SendOutcome> {
    const message: WhatsAppOutboundMessage = envelope.data;
    // WhatsApp through Twilio is apps/sms's, which consumes the same topic.
    if (message.channel !== 'whatsapp' || isTwilioAccount(message.channelAccountId)) return 'not-ours';
    const tenantId = envelope.tenantId;
    const existing = await this.ledger.get(message.messageId);
    if (existing && existing.state !== 'retrying') return this.replay(tenantId, message, existing);

    const provider = this.providers.providerFor(message.channelAccountId);
    const request = sendRequestOf(tenantId, message);
    const refusal = provider ? await this.refusalOf(provider, message, request) : unknownAccount(message);
    if (refusal) {
      if (!existing) {
        const recorded = await this.ledger.start(message.messageId, {
          provider: provider?.id ?? 'cloud-api',
          from: message.channelAccountId,
          to: message.to.address,
          state: 'failed',
        });
        if (!recorded) return 'in-flight-elsewhere';
      }
      await this.fail(tenantId, message, refusal);
      return 'failed';
    }
    return this.send(tenantId, message, request, provider as WhatsAppProvider, existing);
  }

  private async refusalOf(
    provider: WhatsAppProvider,
    message: WhatsAppOutboundMessage,
    request: WhatsAppSendRequest,
  ): Promise<ProviderError | undefined> {
    if (message.attachments && message.attachments.length > 0) {
      return {
        code: 'PONTE_ATTACHMENTS_UNSUPPORTED',
        message: 'The whatsapp service does not send attachments yet',
        retryable: false,
      };
    }
    return provider.check(request);
  }

  private async send(
    tenantId: string,
    message: WhatsAppOutboundMessage,
    request: WhatsAppSendRequest,
    provider: WhatsAppProvider,
    existing: LedgerEntry | null,
  ): Promise<SendOutcome> {
    let attempt = existing?.attempts ?? 0;
    for (;;) {
      attempt += 1;
      if (attempt === 1) {
        const started = await this.ledger.start(message.messageId, {
          provider: provider.id,
          from: message.channelAccountId,
          to: message.to.address,
        });
        if (!started) return 'in-flight-elsewhere';
      } else {
        await this.ledger.update(message.messageId, { state: 'sending', attempts: attempt });
      }
      try {
        const accepted = await provider.send(request);
        // The way back from the statuses (which name only the wamid) first, then the ledger, then the status.
        await this.sentMessages.record({
          _id: accepted.externalId,
          messageId: message.messageId,
          conversationId: message.conversationId,
          tenantId,
          channelAccountId: message.channelAccountId,
          sentAt: new Date(),
        });
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
            wamid: accepted.externalId,
            attempt,
            template: request.template?.name,
          },
          'outbound message accepted by WhatsApp',
        );
        return 'sent';
      } catch (error) {
        const failure =
          error instanceof SendFailure
            ? error
            : new SendFailure('uncertain', 'PONTE_SEND_UNCERTAIN', String(error));
        if (failure.kind === 'retryable' && attempt < this.config.WHATSAPP_CLOUD_SEND_MAX_ATTEMPTS) {
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
            'WhatsApp refused the send for now, retrying',
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
          message:
            'The whatsapp service stopped while Meta had this message; it may or may not have been sent',
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
    const envelope = createEnvelope(Topics.deliveryStatus, status, { source: WHATSAPP_SOURCE, tenantId });
    await this.bus.publish(Topics.deliveryStatus, envelope, {
      key: messageKey(Topics.deliveryStatus, status),
    });
  }

  private backoffMs(attempt: number): number {
    const exponential = this.config.WHATSAPP_CLOUD_SEND_INITIAL_BACKOFF_MS * 2 ** (attempt - 1);
    return Math.min(exponential, this.config.WHATSAPP_CLOUD_SEND_MAX_BACKOFF_MS);
  }
}

function sendRequestOf(tenantId: string, message: WhatsAppOutboundMessage): WhatsAppSendRequest {
  return {
    messageId: message.messageId,
    conversationId: message.conversationId,
    tenantId,
    channelAccountId: message.channelAccountId,
    to: message.to.address,
    ...(message.content.text ? { text: message.content.text } : {}),
    ...(message.template ? { template: message.template } : {}),
    ...(message.replyToExternalId ? { replyToExternalId: message.replyToExternalId } : {}),
  };
}

function unknownAccount(message: OutboundMessage): ProviderError {
  return {
    code: 'PONTE_UNKNOWN_CHANNEL_ACCOUNT',
    message: `No WhatsApp number of this service is ${message.channelAccountId} (WHATSAPP_CLOUD_PHONE_NUMBER_IDS)`,
    retryable: false,
  };
}
