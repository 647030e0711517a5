import { Injectable, Logger } from '@nestjs/common';
import { BlobStore, InboundReceiptStore } from '@ponte/channel-kit';
import { createEnvelope, type InboundMessage, messageKey, Topics } from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import type { MetaAccount, SocialChannel } from '../config/meta-accounts';
import { SocialConfig } from '../config/social.config';
import { DeliveryReceiptService } from '../receipts/delivery-receipt.service';
import { SentMessageStore } from '../receipts/sent-message.store';
import { SOCIAL_SOURCE } from '../social.source';
import type { VerifiedMetaWebhook } from '../webhook/meta-signature.guard';
import { messagingEventsOf } from '../webhook/meta-webhook.payload';
import { CustomerWindowStore } from '../window/customer-window.store';
import { type CollectedMedia, InboundMediaCollector, webhookBlobId } from './inbound-media.collector';
import {
  channelOfObject,
  type ClassifiedEvent,
  classifyEvent,
  normalizeEvent,
} from './messaging-event.classifier';

/** Longer than a whole attempt (media downloads plus the Kafka ack) can take, so a live claim is never taken over. */
const CLAIM_LEASE_MS = 120_000;

export type EventOutcome = 'published' | 'already-handled' | 'echo' | 'receipt' | 'ignored' | 'not-ours';

type MessageEvent = Extract<ClassifiedEvent, { kind: 'message' }>;

/**
 * The `messaging[]` events of a verified Meta webhook, one after another in Meta's order: customers' messages (and
 * their edits and unsends) are normalized, their attachments stored, published with acks=all; echoes of the business's
 * own messages are recorded and never published; deliveries and reads become DeliveryStatus events of our messages.
 * The controller answers 2xx only once every event is done. A receipt per message id makes Meta's redeliveries (and
 * concurrent copies) publish once.
 */
@Injectable()
export class MessagingEventService {
  private readonly logger = new Logger(MessagingEventService.name);

  constructor(
    private readonly config: SocialConfig,
    private readonly bus: MessageBus,
    private readonly receipts: InboundReceiptStore,
    private readonly media: InboundMediaCollector,
    private readonly blobs: BlobStore,
    private readonly windows: CustomerWindowStore,
    private readonly sentMessages: SentMessageStore,
    private readonly deliveryReceipts: DeliveryReceiptService,
  ) {}

  async receive(webhook: VerifiedMetaWebhook): Promise<EventOutcome[]> {
    const channel = channelOfObject(webhook.payload.object);
    if (!channel) {
      this.logger.warn({ object: webhook.payload.object }, 'Meta webhook of an object not handled: ignored');
      return [];
    }
    const outcomes: EventOutcome[] = [];
    for (const { accountId, event } of messagingEventsOf(webhook.payload)) {
      const account = this.config.account(channel, accountId);
      if (!account) {
        // Acknowledged, or Meta would retry for hours: another deployment (or nobody) serves that account.
        this.logger.warn({ channel, accountId }, 'event for an account not served here: ignored');
        outcomes.push('not-ours');
        continue;
      }
      outcomes.push(await this.receiveOne(account, classifyEvent(event), webhook.rawBody));
    }
    return outcomes;
  }

  private async receiveOne(
    account: MetaAccount,
    classified: ClassifiedEvent,
    rawBody: Buffer,
  ): Promise<EventOutcome> {
    const channel = account.channel;
    switch (classified.kind) {
      case 'ignored':
        this.logger.log({ channel, accountId: account.id, reason: classified.reason }, 'Meta event ignored');
        return 'ignored';
      case 'delivery':
        await this.deliveryReceipts.delivered(account, classified.customerId, classified);
        return 'receipt';
      case 'read':
        await this.deliveryReceipts.read(account, classified.customerId, classified);
        return 'receipt';
      case 'echo':
        return this.receiveEcho(account, classified);
      case 'message':
        return this.receiveMessage(account, classified, rawBody);
    }
  }

  /**
   * The business's own message, as Meta echoes it: ours (sent by this service) gets Meta's timestamp, which read
   * watermarks are compared with; one sent from Meta's inbox is only noted. Never an inbound message.
   */
  private async receiveEcho(
    account: MetaAccount,
    echo: Extract<ClassifiedEvent, { kind: 'echo' }>,
  ): Promise<EventOutcome> {
    const ours = await this.sentMessages.get(echo.mid);
    if (ours && echo.timestamp !== undefined)
      await this.sentMessages.confirmSentAt(echo.mid, new Date(echo.timestamp));
    const key = receiptKey(account.channel, account.id, echo.mid);
    if ((await this.receipts.claim(key, CLAIM_LEASE_MS)) === 'claimed') {
      await this.receipts.markIgnored(key, 'echo');
    }
    this.logger.log(
      {
        channel: account.channel,
        accountId: account.id,
        mid: echo.mid,
        messageId: ours?.messageId,
        conversationId: ours?.conversationId,
      },
      ours
        ? 'echo of a message sent by Ponte'
        : 'echo of a message the business sent outside Ponte: not published',
    );
    return 'echo';
  }

  private async receiveMessage(
    account: MetaAccount,
    event: MessageEvent,
    rawBody: Buffer,
  ): Promise<EventOutcome> {
    const key = receiptKey(account.channel, account.id, event.externalId);
    if (
      (await this.receipts.claimForWebhook(key, {
        leaseMs: CLAIM_LEASE_MS,
        busy: 'this message is being processed',
      })) === 'published'
    ) {
      this.logger.log(
        { channel: account.channel, accountId: account.id, externalId: event.externalId },
        'redelivered Meta message acknowledged again',
      );
      return 'already-handled';
    }
    try {
      await this.publishMessage(account, event, rawBody);
    } catch (error) {
      await this.receipts.release(key).catch(() => undefined);
      throw error;
    }
    // Kafka has the message: a failure to record that only costs a harmless re-publish on a redelivery.
    await this.receipts.markPublished(key).catch((error: unknown) => {
      this.logger.warn({ externalId: event.externalId, err: error }, 'could not record the Meta message');
    });
    return 'published';
  }

  private async publishMessage(account: MetaAccount, event: MessageEvent, rawBody: Buffer): Promise<void> {
    const channel = account.channel;
    const raw = await this.blobs.put({
      id: webhookBlobId(channel, account.id, event.externalId),
      contentType: 'application/json',
      bytes: rawBody,
    });
    if (!event.revision) await this.recordWindow(channel, account.id, event);
    const collected: CollectedMedia[] = [];
    for (const [index, item] of event.media.entries()) {
      collected.push(await this.media.collect(channel, account.id, event.externalId, index, item));
    }
    const message = normalizeEvent({
      channel,
      accountId: account.id,
      classified: event,
      receivedAt: new Date().toISOString(),
      attachments: collected.flatMap((item) => ('attachment' in item ? [item.attachment] : [])),
      notes: collected.flatMap((item) => ('note' in item ? [item.note] : [])),
      rawPayloadRef: raw.id,
    });
    await this.publish(account, message);
    this.logger.log(
      {
        channel,
        accountId: account.id,
        externalId: message.externalId,
        revision: message.revision?.kind,
        attachments: message.attachments?.length ?? 0,
      },
      'Meta message published',
    );
  }

  private async publish(account: MetaAccount, message: InboundMessage): Promise<void> {
    const envelope = createEnvelope(Topics.inboundMessage, message, {
      source: SOCIAL_SOURCE,
      tenantId: this.config.tenantOf(account),
      // Deterministic, so a re-published copy is recognisably the same event.
      id: `${message.channel}:${message.channelAccountId}:${message.externalId}`,
    });
    await this.bus.publish(Topics.inboundMessage, envelope, {
      key: messageKey(Topics.inboundMessage, message),
    });
  }

  /** Opens (or extends) the customer's standard messaging window, by Meta's timestamp of the message. */
  private async recordWindow(channel: SocialChannel, accountId: string, event: MessageEvent): Promise<void> {
    const at =
      event.timestamp !== undefined && event.timestamp <= Date.now() ? new Date(event.timestamp) : new Date();
    await this.windows.recordInbound(channel, accountId, event.customerId, at);
  }
}

export function receiptKey(channel: SocialChannel, accountId: string, externalId: string): string {
  return `${channel}:${accountId}:${externalId}`;
}
