import { Injectable, Logger } from '@nestjs/common';
import {
  AtMostOnceSender,
  OutboundLedgerStore,
  type PreparedSend,
  type SendOutcome,
} from '@ponte/channel-kit';
import type { EnvelopeOf, OutboundMessage, ProviderError, Topics } from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { WhatsappConfig } from '../config/whatsapp.config';
import type { WhatsAppSendRequest, WhatsAppTemplate } from '../provider/whatsapp-provider.port';
import { isTwilioAccount, WhatsAppProviderRegistry } from '../provider/whatsapp-provider.registry';
import { SentMessageStore } from './sent-message.store';
import { WHATSAPP_SOURCE } from '../whatsapp.source';

/**
 * An outbound message as this service reads it: the contract's, plus the template it will carry once the contract
 * has one (see README). The codec strips unknown fields, so today only in-process callers can set it.
 */
export type WhatsAppOutboundMessage = OutboundMessage & { template?: WhatsAppTemplate };

/**
 * Sends an outbound WhatsApp message through its provider at most once per message id, and reports what became of it
 * (see AtMostOnceSender: a send Meta may have received before a crash is reported `failed` with PONTE_SEND_UNCERTAIN,
 * never sent twice; if Meta did send it, its statuses still arrive, attributed through `biz_opaque_callback_data`,
 * and a `delivered` outranks `failed`). What is WhatsApp's stays here: which messages are ours, the provider of the
 * account, the refusals (each provider's `check`: attachments, the 24-hour window, templates), the request and the
 * record of the `wamid` that statuses name.
 */
@Injectable()
export class OutboundSenderService {
  private readonly sender: AtMostOnceSender;

  constructor(
    config: WhatsappConfig,
    private readonly providers: WhatsAppProviderRegistry,
    ledger: OutboundLedgerStore,
    private readonly sentMessages: SentMessageStore,
    bus: MessageBus,
  ) {
    this.sender = new AtMostOnceSender(ledger, bus, new Logger(OutboundSenderService.name), {
      source: WHATSAPP_SOURCE,
      providerName: 'WhatsApp',
      interruptedSendMessage:
        'The whatsapp service stopped while Meta had this message; it may or may not have been sent',
      maxAttempts: config.WHATSAPP_CLOUD_SEND_MAX_ATTEMPTS,
      initialBackoffMs: config.WHATSAPP_CLOUD_SEND_INITIAL_BACKOFF_MS,
      maxBackoffMs: config.WHATSAPP_CLOUD_SEND_MAX_BACKOFF_MS,
    });
  }

  async handle(envelope: EnvelopeOf<typeof Topics.outbound.whatsapp>): Promise<SendOutcome> {
    const message: WhatsAppOutboundMessage = envelope.data;
    // WhatsApp through Twilio is apps/sms's, which consumes the same topic.
    if (message.channel !== 'whatsapp' || isTwilioAccount(message.channelAccountId)) return 'not-ours';
    return this.sender.send(envelope.tenantId, message, () => this.prepare(envelope.tenantId, message));
  }

  private async prepare(tenantId: string, message: WhatsAppOutboundMessage): Promise<PreparedSend> {
    const provider = this.providers.providerFor(message.channelAccountId);
    const request = sendRequestOf(tenantId, message);
    const record = {
      provider: provider?.id ?? 'cloud-api',
      from: message.channelAccountId,
      to: message.to.address,
    };
    if (!provider) return { record, refusal: unknownAccount(message) };
    const refusal = await provider.check(request);
    if (refusal) return { record, refusal };
    // The text sent apart from a file (Cloud API), for the log line.
    let textWamid: string | undefined;
    return {
      record,
      send: async () => {
        const accepted = await provider.send(request);
        textWamid = accepted.textExternalId;
        return accepted;
      },
      // The way back from the statuses (which name only the wamid) first, then the ledger, then the status.
      afterAccepted: (accepted) =>
        this.sentMessages.record({
          _id: accepted.externalId,
          messageId: message.messageId,
          conversationId: message.conversationId,
          tenantId,
          channelAccountId: message.channelAccountId,
          sentAt: new Date(),
        }),
      logFields: (accepted) => ({
        wamid: accepted.externalId,
        template: request.template?.name,
        textWamid,
        attachments: request.attachments?.length,
      }),
    };
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
    ...(message.attachments && message.attachments.length > 0 ? { attachments: message.attachments } : {}),
    ...(message.template ? { template: message.template } : {}),
    ...(message.replyToExternalId ? { replyToExternalId: message.replyToExternalId } : {}),
  };
}

function unknownAccount(message: OutboundMessage): ProviderError {
  return {
    code: 'PONTE_UNKNOWN_CHANNEL_ACCOUNT',
    message: `No WhatsApp number of this service is ${message.channelAccountId} (WHATSAPP_CLOUD_PHONE_NUMBER_IDS, or web:{id} of WHATSAPP_WEB_SESSIONS)`,
    retryable: false,
  };
}
