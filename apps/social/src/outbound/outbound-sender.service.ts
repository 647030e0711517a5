import { Injectable, Logger } from '@nestjs/common';
import {
  AtMostOnceSender,
  BlobStore,
  OutboundLedgerStore,
  type PreparedSend,
  type SendOutcome,
  storedAttachmentsFor,
} from '@ponte/channel-kit';
import {
  type EnvelopeOf,
  mediaKindOf,
  type OutboundMessage,
  type ProviderError,
  type Topics,
} from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { SOCIAL_CHANNELS, type SocialChannel } from '../config/meta-accounts';
import { SocialConfig } from '../config/social.config';
import { SentMessageStore } from '../receipts/sent-message.store';
import { SOCIAL_SOURCE } from '../social.source';
import { CustomerWindowStore } from '../window/customer-window.store';
import { type MetaFile, MetaSendProvider } from './meta-send.port';
import { messagingTypeOf } from './messaging-window';

/** A PSID or IGSID: Meta's are digits; anything that cannot be a path-safe id is refused before calling Meta. */
const CUSTOMER_ID = /^[A-Za-z0-9_-]{1,64}$/;

type ConsumedTopic = typeof Topics.outbound.messenger | typeof Topics.outbound.instagram;

/** The Send API's attachment types, by the registry's media kind. */
const ATTACHMENT_TYPES = {
  image: 'image',
  audio: 'audio',
  video: 'video',
  document: 'file',
  sticker: 'image',
} as const;

/**
 * Sends an outbound Messenger or Instagram message at most once per message id through the Graph Send API and
 * reports what became of it (see AtMostOnceSender). Before calling Meta: the account must be ours, the address a
 * PSID / IGSID, the content within the registry's limits, and the customer's messaging window open — within 24 hours
 * a RESPONSE, within 7 days tagged HUMAN_AGENT, beyond refused (PONTE_OUTSIDE_MESSAGING_WINDOW) with nothing sent.
 */
@Injectable()
export class OutboundSenderService {
  private readonly sender: AtMostOnceSender;

  constructor(
    private readonly config: SocialConfig,
    private readonly windows: CustomerWindowStore,
    private readonly sentMessages: SentMessageStore,
    private readonly blobs: BlobStore,
    private readonly provider: MetaSendProvider,
    ledger: OutboundLedgerStore,
    bus: MessageBus,
  ) {
    this.sender = new AtMostOnceSender(ledger, bus, new Logger(OutboundSenderService.name), {
      source: SOCIAL_SOURCE,
      providerName: 'Meta',
      interruptedSendMessage:
        'The social service stopped while Meta had this message; it may or may not have been sent',
      maxAttempts: config.META_SEND_MAX_ATTEMPTS,
      initialBackoffMs: config.META_SEND_INITIAL_BACKOFF_MS,
      maxBackoffMs: config.META_SEND_MAX_BACKOFF_MS,
    });
  }

  async handle(envelope: EnvelopeOf<ConsumedTopic>): Promise<SendOutcome> {
    const message = envelope.data;
    const channel = message.channel;
    if (!isSocialChannel(channel)) return 'not-ours';
    return this.sender.send(envelope.tenantId, message, () =>
      this.prepare(envelope.tenantId, channel, message),
    );
  }

  /** Runs once per delivery of the event that finds no final ledger entry. */
  private async prepare(
    tenantId: string,
    channel: SocialChannel,
    message: OutboundMessage,
  ): Promise<PreparedSend> {
    const accountId = message.channelAccountId;
    const customerId = message.to.address.trim();
    const record = { provider: channel, from: accountId, to: customerId };
    const account = this.config.account(channel, accountId);
    if (!account) return { record, refusal: unknownAccount(channel, accountId) };
    if (!CUSTOMER_ID.test(customerId)) {
      return {
        record,
        refusal: refusal('PONTE_UNSUPPORTED_ADDRESS', `${message.to.address} is not a ${channel} user id`),
      };
    }
    const content = await this.contentOf(channel, message);
    if ('refusal' in content) return { record, refusal: content.refusal };
    const window = messagingTypeOf(
      channel,
      await this.windows.lastInboundAt(channel, accountId, customerId),
      new Date(),
    );
    if ('refusal' in window) return { record, refusal: window.refusal };
    let sentAt = new Date();
    return {
      record,
      send: async () => {
        sentAt = new Date();
        const text = message.content.text;
        return this.provider.send({
          account,
          customerId,
          messagingType: window.type,
          ...(text ? { text } : {}),
          ...(content.file ? { file: content.file } : {}),
        });
      },
      afterAccepted: async (accepted) => {
        await this.sentMessages.record({
          _id: accepted.externalId,
          messageId: message.messageId,
          conversationId: message.conversationId,
          tenantId,
          channel,
          channelAccountId: accountId,
          customerId,
          sentAt,
          deliveryRank: 1,
        });
      },
      logFields: (accepted) => ({
        channel,
        accountId,
        mid: accepted.externalId,
        messagingType: window.type.messaging_type,
        file: content.file?.mediaType,
      }),
    };
  }

  /** The registry's rules, judged on the stored blob, not on what the message claims. */
  private async contentOf(
    channel: SocialChannel,
    message: OutboundMessage,
  ): Promise<{ file?: MetaFile } | { refusal: ProviderError }> {
    const checked = await storedAttachmentsFor(this.blobs, channel, message);
    if (checked.refusal) return { refusal: checked.refusal };
    const [item] = checked.stored;
    if (!item) return {};
    const blob = await this.blobs.read(item.id);
    if (!blob)
      return { refusal: refusal('PONTE_ATTACHMENT_MISSING', `attachment 1 (${item.id}) is not stored`) };
    const mediaType = item.contentType.split(';')[0]?.trim().toLowerCase() ?? 'application/octet-stream';
    const kind = mediaKindOf(channel, mediaType) ?? 'document';
    return {
      file: {
        bytes: blob.bytes,
        mediaType,
        fileName: item.fileName ?? `file.${mediaType.split('/')[1] ?? 'bin'}`,
        attachmentType: ATTACHMENT_TYPES[kind],
      },
    };
  }
}

function isSocialChannel(channel: string): channel is SocialChannel {
  return (SOCIAL_CHANNELS as readonly string[]).includes(channel);
}

function unknownAccount(channel: SocialChannel, accountId: string): ProviderError {
  const setting = channel === 'messenger' ? 'META_PAGES' : 'META_INSTAGRAM_ACCOUNTS';
  return refusal(
    'PONTE_UNKNOWN_CHANNEL_ACCOUNT',
    `No ${channel} account ${accountId} is served here (${setting})`,
  );
}

function refusal(code: string, message: string): ProviderError {
  return { code, message, retryable: false };
}
