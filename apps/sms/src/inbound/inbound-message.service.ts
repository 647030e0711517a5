import { BadRequestException, ForbiddenException, Injectable, Logger } from '@nestjs/common';
import { BlobStore, InboundReceiptStore } from '@ponte/channel-kit';
import { createEnvelope, messageKey, Topics } from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { SmsConfig } from '../config/sms.config';
import { InboundMediaCollector, webhookBlobId } from '../media/inbound-media.collector';
import { param } from '../twilio/twilio-webhook.params';
import type { VerifiedTwilioWebhook } from '../twilio/twilio-signature.guard';
import {
  InvalidTwilioWebhookError,
  mediaOf,
  messageSidOf,
  normalizeInboundMessage,
} from './inbound-message.normalizer';

export const SMS_SOURCE = '/ponte/sms';
/** Longer than a whole attempt (media fetches plus the Kafka ack) can take, so a live claim is never taken over. */
const CLAIM_LEASE_MS = 60_000;

export type InboundOutcome = 'published' | 'already-published';

/**
 * An inbound Twilio message, verified by the guard: normalized, its media stored, published with acks=all, and
 * only then acknowledged (the controller answers 2xx when this resolves). Redeliveries of a published MessageSid
 * are acknowledged without publishing again.
 */
@Injectable()
export class InboundMessageService {
  private readonly logger = new Logger(InboundMessageService.name);

  constructor(
    private readonly config: SmsConfig,
    private readonly bus: MessageBus,
    private readonly receipts: InboundReceiptStore,
    private readonly media: InboundMediaCollector,
    private readonly blobs: BlobStore,
  ) {}

  async receive(webhook: VerifiedTwilioWebhook): Promise<InboundOutcome> {
    const { params, idempotencyToken } = webhook;
    const messageSid = messageSidOf(params);
    if (!messageSid) throw new BadRequestException('MessageSid is required');
    if (param(params, 'AccountSid') !== this.config.TWILIO_ACCOUNT_SID) {
      throw new ForbiddenException('the webhook belongs to another Twilio account');
    }
    this.assertNormalizable(webhook);
    const claim = await this.receipts.claimForWebhook(messageSid, {
      leaseMs: CLAIM_LEASE_MS,
      busy: `message ${messageSid} is being processed`,
      ...(idempotencyToken ? { idempotencyToken } : {}),
    });
    if (claim === 'published') {
      this.logger.log({ messageSid, idempotencyToken }, 'redelivered Twilio message acknowledged again');
      return 'already-published';
    }
    try {
      await this.publish(messageSid, webhook);
    } catch (error) {
      await this.receipts.release(messageSid).catch(() => undefined);
      throw error;
    }
    // Kafka has the message: a failure to record that only costs a harmless re-publish on a redelivery.
    await this.receipts.markPublished(messageSid).catch((error: unknown) => {
      this.logger.warn({ messageSid, err: error }, 'could not record the published Twilio message');
    });
    return 'published';
  }

  /** Refuses a webhook that can never become a message before anything is fetched or stored. */
  private assertNormalizable({ params }: VerifiedTwilioWebhook): void {
    try {
      normalizeInboundMessage({ params, receivedAt: new Date().toISOString() });
    } catch (error) {
      if (error instanceof InvalidTwilioWebhookError) throw new BadRequestException(error.message);
      throw error;
    }
  }

  private async publish(messageSid: string, webhook: VerifiedTwilioWebhook): Promise<void> {
    const { params, rawBody } = webhook;
    const receivedAt = new Date().toISOString();
    const { attachments, notes } = await this.media.collect(messageSid, mediaOf(params));
    const raw = await this.blobs.put({
      id: webhookBlobId(messageSid),
      contentType: 'application/x-www-form-urlencoded',
      bytes: Buffer.from(rawBody, 'utf8'),
    });
    const message = normalizeInboundMessage({
      params,
      receivedAt,
      attachments,
      notes,
      rawPayloadRef: raw.id,
    });
    const envelope = createEnvelope(Topics.inboundMessage, message, {
      source: SMS_SOURCE,
      tenantId: this.config.SMS_TENANT_ID,
      // Deterministic, so a re-published copy is recognisably the same event.
      id: `twilio:${messageSid}`,
    });
    await this.bus.publish(Topics.inboundMessage, envelope, {
      key: messageKey(Topics.inboundMessage, message),
    });
    this.logger.log(
      { messageSid, channel: message.channel, attachments: attachments.length, refusedMedia: notes.length },
      'Twilio message published',
    );
  }
}
