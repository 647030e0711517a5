import { Injectable, Logger } from '@nestjs/common';
import { BlobStore, InboundReceiptStore } from '@ponte/channel-kit';
import { createEnvelope, type InboundMessage, messageKey, Topics } from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { WhatsappConfig } from '../config/whatsapp.config';
import { WHATSAPP_SOURCE } from '../whatsapp.source';
import { customerPhoneOf } from '../window/customer-service-window';
import { CustomerWindowStore } from '../window/customer-window.store';
import { CloudMediaCollector, cloudWebhookBlobId } from './cloud-media.collector';
import { classifyCloudMessage, mediaOf, normalizeCloudMessage } from './cloud-message.normalizer';
import type { VerifiedCloudWebhook } from './cloud-signature.guard';
import { type CloudMessageEvent, eventsOf, isoOfUnixSeconds } from './cloud-webhook.payload';

/** Longer than a whole attempt (media downloads plus the Kafka ack) can take, so a live claim is never taken over. */
const CLAIM_LEASE_MS = 120_000;

export type CloudInboundOutcome = 'published' | 'already-handled' | 'ignored' | 'not-ours';

/**
 * The `messages` of a verified Cloud API webhook: each normalized, its media stored, published with acks=all, and
 * only then acknowledged (the controller answers 2xx when every message of the webhook is done). A receipt per
 * `wamid` makes Meta's redeliveries (and concurrent copies) publish once.
 */
@Injectable()
export class CloudInboundService {
  private readonly logger = new Logger(CloudInboundService.name);
  private readonly phoneNumberIds: ReadonlySet<string>;

  constructor(
    private readonly config: WhatsappConfig,
    private readonly bus: MessageBus,
    private readonly receipts: InboundReceiptStore,
    private readonly media: CloudMediaCollector,
    private readonly blobs: BlobStore,
    private readonly windows: CustomerWindowStore,
  ) {
    this.phoneNumberIds = new Set(config.cloudPhoneNumberIds);
  }

  async receive(webhook: VerifiedCloudWebhook): Promise<CloudInboundOutcome[]> {
    const outcomes: CloudInboundOutcome[] = [];
    // One after another: the messages of one customer reach Kafka in the order Meta listed them.
    for (const event of eventsOf(webhook.payload).messages) {
      outcomes.push(await this.receiveOne(event, webhook.rawBody));
    }
    return outcomes;
  }

  private async receiveOne(event: CloudMessageEvent, rawBody: Buffer): Promise<CloudInboundOutcome> {
    // A deletion names the deleted message's own wamid: its receipt is its own, not the message's.
    const wamid = receiptKeyOf(event.message);
    if (!this.phoneNumberIds.has(event.phoneNumberId)) {
      // Acknowledged, or Meta would retry for days: another deployment (or nobody) serves that number.
      this.logger.warn(
        { wamid, phoneNumberId: event.phoneNumberId },
        'message for a phone number id not served here: ignored',
      );
      return 'not-ours';
    }
    if (
      (await this.receipts.claimForWebhook(wamid, {
        leaseMs: CLAIM_LEASE_MS,
        busy: `message ${wamid} is being processed`,
      })) === 'published'
    ) {
      this.logger.log({ wamid }, 'redelivered WhatsApp message acknowledged again');
      return 'already-handled';
    }
    let outcome: CloudInboundOutcome;
    try {
      outcome = await this.handle(event, rawBody);
    } catch (error) {
      await this.receipts.release(wamid).catch(() => undefined);
      throw error;
    }
    // Kafka has the message: a failure to record that only costs a harmless re-publish on a redelivery.
    const recorded =
      outcome === 'published'
        ? this.receipts.markPublished(wamid)
        : this.receipts.markIgnored(wamid, outcome);
    await recorded.catch((error: unknown) => {
      this.logger.warn({ wamid, err: error }, 'could not record the handled WhatsApp message');
    });
    return outcome;
  }

  private async handle(event: CloudMessageEvent, rawBody: Buffer): Promise<CloudInboundOutcome> {
    const { message, phoneNumberId } = event;
    const wamid = message.id;
    const classification = classifyCloudMessage(message);
    const raw = await this.blobs.put({
      id: cloudWebhookBlobId(wamid),
      contentType: 'application/json',
      bytes: rawBody,
    });
    switch (classification.kind) {
      case 'deleted': {
        // A revision of the stored message: the router empties it for agents and keeps what it said for audits.
        const deletion = normalizeCloudMessage({
          event,
          receivedAt: new Date().toISOString(),
          rawPayloadRef: raw.id,
        });
        await this.publish({
          ...deletion,
          externalId: receiptKeyOf(message),
          content: {},
          revision: { kind: 'deleted', of: classification.deletedExternalId },
        });
        this.logger.log(
          { wamid, deletedExternalId: classification.deletedExternalId },
          'WhatsApp deletion published',
        );
        return 'published';
      }
      case 'ignored':
        this.logger.log({ wamid, reason: classification.reason }, 'WhatsApp message ignored');
        return 'ignored';
      case 'message':
        break;
    }
    await this.recordWindow(event);
    const item = mediaOf(message);
    const collected = item ? await this.media.collect(wamid, phoneNumberId, item) : undefined;
    const inbound = normalizeCloudMessage({
      event,
      receivedAt: new Date().toISOString(),
      ...(collected && 'attachment' in collected ? { attachments: [collected.attachment] } : {}),
      ...(collected && 'note' in collected ? { notes: [collected.note] } : {}),
      rawPayloadRef: raw.id,
    });
    await this.publish(inbound);
    this.logger.log(
      { wamid, type: message.type, phoneNumberId, attachments: inbound.attachments?.length ?? 0 },
      'WhatsApp message published',
    );
    return 'published';
  }

  private async publish(inbound: InboundMessage): Promise<void> {
    const envelope = createEnvelope(Topics.inboundMessage, inbound, {
      source: WHATSAPP_SOURCE,
      tenantId: this.config.WHATSAPP_TENANT_ID,
      // Deterministic, so a re-published copy is recognisably the same event.
      id: `whatsapp-cloud:${inbound.externalId}`,
    });
    await this.bus.publish(Topics.inboundMessage, envelope, {
      key: messageKey(Topics.inboundMessage, inbound),
    });
  }

  /** Opens (or extends) the customer's 24-hour window, by Meta's timestamp of the message. */
  private async recordWindow(event: CloudMessageEvent): Promise<void> {
    const phone = customerPhoneOf(event.message.from);
    if (!phone) return;
    const sentAt = isoOfUnixSeconds(event.message.timestamp);
    const at = sentAt && Date.parse(sentAt) <= Date.now() ? new Date(sentAt) : new Date();
    await this.windows.recordInbound(event.phoneNumberId, phone, event.message.from, at);
  }
}

/** The receipt (and externalId) of a webhook message: its wamid, or `deleted:<wamid>` for a deletion of it. */
function receiptKeyOf(message: CloudMessageEvent['message']): string {
  return classifyCloudMessage(message).kind === 'deleted' ? `deleted:${message.id}` : message.id;
}
