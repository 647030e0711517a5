import { Injectable, Logger } from '@nestjs/common';
import { BlobStore, InboundReceiptStore } from '@ponte/channel-kit';
import { createEnvelope, type InboundMessage, messageKey, Topics } from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { WhatsappConfig } from '../config/whatsapp.config';
import { SentMessageStore } from '../outbound/sent-message.store';
import { WHATSAPP_SOURCE } from '../whatsapp.source';
import { webBlobId } from './web-account';
import type { WebMessage } from './web-client.port';
import { WebMediaCollector } from './web-media.collector';
import {
  chatVerdictOf,
  classifyWebMessage,
  editIdOf,
  mediaKindOf,
  normalizeWebEdit,
  normalizeWebMessage,
  normalizeWebRevoke,
  quotedReferenceOfData,
  quotedReferenceOfLookup,
  revokedIdOf,
  type WebQuotedReference,
} from './web-message.normalizer';
import type { WebSession } from './web-session';

/** Longer than handling one message can take (a media download included), so a live claim is never taken over. */
const CLAIM_LEASE_MS = 120_000;
/** Bounds the wait for our own sends before an event of our number is judged (a browser that hangs). */
export const SEND_SETTLE_TIMEOUT_MS = 30_000;

export type WebSessionContext = Pick<
  WebSession,
  'id' | 'channelAccountId' | 'tracker' | 'ownIds' | 'groupAllowed'
>;

export type WebInboundOutcome = 'published' | 'already-handled' | 'ignored' | 'echo' | 'sent-from-phone';

/**
 * What the chats of a session deliver: customers' messages, their edits and deletions, each published once with
 * acks=all (a receipt per id, as on the Cloud API path: whatsapp-web.js may emit the same message again, after a
 * reconnect for instance). Messages of our own number never become inbound messages: an echo of what this service
 * sent is recognized (see WebSendTracker); one typed on the phone is kept as a raw payload and logged, since the
 * contract has no event for it yet.
 */
@Injectable()
export class WebInboundService {
  private readonly logger = new Logger(WebInboundService.name);

  constructor(
    private readonly config: WhatsappConfig,
    private readonly bus: MessageBus,
    private readonly receipts: InboundReceiptStore,
    private readonly blobs: BlobStore,
    private readonly media: WebMediaCollector,
    private readonly sentMessages: SentMessageStore,
  ) {}

  async receive(session: WebSessionContext, message: WebMessage): Promise<WebInboundOutcome> {
    const verdict = classifyWebMessage(message, session);
    switch (verdict.kind) {
      case 'ignored':
        this.logger.debug(
          { sessionId: session.id, externalId: message.id._serialized, reason: verdict.reason },
          'WhatsApp Web message ignored',
        );
        return 'ignored';
      case 'from-me':
        return this.fromOurNumber(session, message);
      case 'customer':
        return this.publishOnce(session, message.id._serialized, message, (rawPayloadRef) =>
          this.normalize(session, message, rawPayloadRef),
        );
    }
  }

  async edited(session: WebSessionContext, message: WebMessage, newBody: string): Promise<WebInboundOutcome> {
    const verdict = chatVerdictOf(message, session);
    if (verdict.kind !== 'customer') {
      this.logger.debug({ sessionId: session.id, externalId: message.id._serialized }, 'edit not published');
      return 'ignored';
    }
    return this.publishOnce(
      session,
      editIdOf(message, newBody),
      { event: 'message_edit', message, newBody },
      async (rawPayloadRef) =>
        normalizeWebEdit({
          message,
          newBody,
          channelAccountId: session.channelAccountId,
          receivedAt: new Date().toISOString(),
          rawPayloadRef,
        }),
    );
  }

  async revoked(
    session: WebSessionContext,
    message: WebMessage,
    revoked: WebMessage | null | undefined,
  ): Promise<WebInboundOutcome> {
    const verdict = chatVerdictOf(revoked ?? message, session);
    if (verdict.kind !== 'customer') {
      // Our own message taken back (from the phone), or one of a chat this service ignores.
      this.logger.debug(
        { sessionId: session.id, externalId: revokedIdOf({ message, revoked }) },
        'deletion not published',
      );
      return 'ignored';
    }
    const revoke = { message, revoked, channelAccountId: session.channelAccountId };
    return this.publishOnce(
      session,
      `deleted:${revokedIdOf(revoke)}`,
      { event: 'message_revoke_everyone', message, revoked: revoked ?? null },
      async (rawPayloadRef) =>
        normalizeWebRevoke({ ...revoke, receivedAt: new Date().toISOString(), rawPayloadRef }),
    );
  }

  /**
   * A message of our own number. Sends in flight are awaited first: the echo of our send may arrive before
   * `sendMessage` told us its id. Then it is ours (in this process's memory or in the sent-message store), or it was
   * sent from the phone — or another WhatsApp Web — and is only recorded.
   */
  private async fromOurNumber(session: WebSessionContext, message: WebMessage): Promise<WebInboundOutcome> {
    const externalId = message.id._serialized;
    await session.tracker.settled(SEND_SETTLE_TIMEOUT_MS);
    const ours = session.tracker.referenceOf(externalId) ?? (await this.sentMessages.get(externalId));
    if (ours) {
      this.logger.debug(
        { sessionId: session.id, externalId, messageId: ours.messageId },
        'echo of a message this service sent',
      );
      return 'echo';
    }
    const raw = await this.storeRaw(session, externalId, message);
    this.logger.log(
      { sessionId: session.id, externalId, chat: message.id.remote, type: message.type, rawPayloadRef: raw },
      'message sent from the phone: not published (the contract has no event for it yet)',
    );
    return 'sent-from-phone';
  }

  private async publishOnce(
    session: WebSessionContext,
    externalId: string,
    rawPayload: unknown,
    build: (rawPayloadRef: string) => Promise<InboundMessage>,
  ): Promise<WebInboundOutcome> {
    // Scoped by session: two of our numbers in one group see the same message ids.
    const receiptId = `web:${session.id}:${externalId}`;
    switch (await this.receipts.claim(receiptId, CLAIM_LEASE_MS)) {
      case 'published':
        this.logger.debug({ sessionId: session.id, externalId }, 'WhatsApp Web message already published');
        return 'already-handled';
      case 'in-flight':
        // Claimed by an attempt whose release failed, or by another instance serving the same number: retried
        // (see WebSessionRegistry) until that claim is published or its lease runs out.
        throw new Error(`message ${externalId} is claimed by another attempt`);
      case 'claimed':
        break;
    }
    let inbound: InboundMessage;
    try {
      const raw = await this.storeRaw(session, externalId, rawPayload);
      inbound = await build(raw);
      const envelope = createEnvelope(Topics.inboundMessage, inbound, {
        source: WHATSAPP_SOURCE,
        tenantId: this.config.WHATSAPP_TENANT_ID,
        // Deterministic, so a re-published copy is recognisably the same event.
        id: `whatsapp-web:${session.id}:${externalId}`,
      });
      await this.bus.publish(Topics.inboundMessage, envelope, {
        key: messageKey(Topics.inboundMessage, inbound),
      });
    } catch (error) {
      await this.receipts.release(receiptId).catch(() => undefined);
      throw error;
    }
    // Kafka has it: failing to record that only costs a harmless re-publish if the message comes again.
    await this.receipts.markPublished(receiptId).catch((error: unknown) => {
      this.logger.warn(
        { sessionId: session.id, externalId, err: error },
        'could not record the published message',
      );
    });
    this.logger.log(
      {
        sessionId: session.id,
        externalId,
        revision: inbound.revision?.kind,
        attachments: inbound.attachments?.length ?? 0,
      },
      'WhatsApp Web message published',
    );
    return 'published';
  }

  private async normalize(
    session: WebSessionContext,
    message: WebMessage,
    rawPayloadRef: string,
  ): Promise<InboundMessage> {
    const kind = mediaKindOf(message);
    const collected = kind ? await this.media.collect(session.id, message, kind) : undefined;
    const cards =
      message.type === 'vcard' || message.type === 'multi_vcard'
        ? await this.media.contactCards(session.id, message)
        : [];
    const attachments = [...(collected && 'attachment' in collected ? [collected.attachment] : []), ...cards];
    const quoted = message.hasQuotedMsg ? await this.quotedOf(session, message) : undefined;
    return normalizeWebMessage({
      message,
      channelAccountId: session.channelAccountId,
      receivedAt: new Date().toISOString(),
      ...(attachments.length > 0 ? { attachments } : {}),
      ...(collected && 'note' in collected ? { notes: [collected.note] } : {}),
      ...(quoted ? { quoted } : {}),
      rawPayloadRef,
    });
  }

  /** The quoted message as the browser knows it; rebuilt from the reply's own fields when that lookup fails. */
  private async quotedOf(
    session: WebSessionContext,
    message: WebMessage,
  ): Promise<WebQuotedReference | undefined> {
    try {
      const quoted = await message.getQuotedMessage();
      if (quoted?.id?._serialized) return quotedReferenceOfLookup(quoted);
    } catch (error) {
      this.logger.debug(
        { sessionId: session.id, externalId: message.id._serialized, err: error },
        'quoted message lookup failed: using the reply’s own reference',
      );
    }
    return quotedReferenceOfData(message, session.ownIds());
  }

  private async storeRaw(session: WebSessionContext, externalId: string, payload: unknown): Promise<string> {
    const stored = await this.blobs.put({
      id: webBlobId(session.id, externalId, 'event'),
      contentType: 'application/json',
      bytes: Buffer.from(JSON.stringify(payload), 'utf8'),
    });
    return stored.id;
  }
}
