import { Injectable, Logger } from '@nestjs/common';
import {
  AtMostOnceSender,
  OutboundLedgerStore,
  type PreparedSend,
  type SendOutcome,
} from '@ponte/channel-kit';
import type { EnvelopeOf, OutboundMessage, OutboundTopicName, ProviderError } from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { SmsConfig } from '../config/sms.config';
import { SMS_SOURCE } from '../inbound/inbound-message.service';
import { OutboundMediaResolver } from './outbound-media.resolver';
import { SenderRateLimiter } from './sender-rate-limiter';
import { SmsProvider } from './sms-provider.port';

/** Twilio's WhatsApp senders are `whatsapp:+E164`; other WhatsApp accounts belong to apps/whatsapp. */
export function isTwilioAccount(message: OutboundMessage): boolean {
  return message.channel === 'sms' || message.channelAccountId.toLowerCase().startsWith('whatsapp:');
}

/**
 * Sends an outbound message through Twilio at most once per message id, and reports what became of it (see
 * AtMostOnceSender: a send Twilio may have received before a crash is reported `failed` with PONTE_SEND_UNCERTAIN,
 * never sent twice). What is Twilio's stays here: which messages are ours, the customer's address, the refusals, the
 * media URLs (OutboundMediaResolver), the status callback URL and the per-sender rate limit.
 */
@Injectable()
export class OutboundSenderService {
  private readonly limiter: SenderRateLimiter;
  private readonly sender: AtMostOnceSender;

  constructor(
    private readonly config: SmsConfig,
    private readonly provider: SmsProvider,
    private readonly media: OutboundMediaResolver,
    ledger: OutboundLedgerStore,
    bus: MessageBus,
  ) {
    this.limiter = new SenderRateLimiter(config.SMS_SENDER_MESSAGES_PER_SECOND);
    this.sender = new AtMostOnceSender(ledger, bus, new Logger(OutboundSenderService.name), {
      source: SMS_SOURCE,
      providerName: 'Twilio',
      interruptedSendMessage:
        'The sms service stopped while Twilio had this message; it may or may not have been sent',
      maxAttempts: config.SMS_SEND_MAX_ATTEMPTS,
      initialBackoffMs: config.SMS_SEND_INITIAL_BACKOFF_MS,
      maxBackoffMs: config.SMS_SEND_MAX_BACKOFF_MS,
    });
  }

  async handle(envelope: EnvelopeOf<OutboundTopicName>): Promise<SendOutcome> {
    const message = envelope.data;
    if (!isTwilioAccount(message)) return 'not-ours';
    return this.sender.send(envelope.tenantId, message, () => this.prepare(envelope.tenantId, message));
  }

  /**
   * Runs once per delivery of the event that finds no final ledger entry; the media URLs are signed here, so a send
   * resumed after a restart gets fresh ones.
   */
  private async prepare(tenantId: string, message: OutboundMessage): Promise<PreparedSend> {
    const from = message.channelAccountId;
    const to = recipientOf(message);
    if (to === undefined) {
      return { record: { from, to: message.to.address }, refusal: unsupportedAddress(message) };
    }
    const media = await this.media.resolve(message);
    if (media.refusal) return { record: { from, to }, refusal: media.refusal };
    const { mediaUrls } = media;
    return {
      record: { from, to },
      beforeAttempt: () => this.limiter.acquire(from),
      send: () =>
        this.provider.send({
          from,
          to,
          // Twilio takes a message without text when it has media.
          ...(message.content.text ? { body: message.content.text } : {}),
          ...(mediaUrls.length > 0 ? { mediaUrls } : {}),
          statusCallbackUrl: this.statusCallbackUrl(tenantId, message),
        }),
      // Never the URLs: each one lets whoever reads it fetch the attachment until it expires.
      logFields: (accepted) => ({ messageSid: accepted.externalId, media: mediaUrls.length }),
    };
  }

  private statusCallbackUrl(tenantId: string, message: OutboundMessage): string {
    const query = new URLSearchParams({
      messageId: message.messageId,
      conversationId: message.conversationId,
      tenantId,
    });
    return `${this.config.SMS_PUBLIC_BASE_URL}/webhooks/twilio/status?${query.toString()}`;
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

function unsupportedAddress(message: OutboundMessage): ProviderError {
  return {
    code: 'PONTE_UNSUPPORTED_ADDRESS',
    message: `Twilio cannot send to ${message.to.address} (a WhatsApp linked id has no phone number)`,
    retryable: false,
  };
}
