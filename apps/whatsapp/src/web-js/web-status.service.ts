import { Injectable, Logger } from '@nestjs/common';
import { createEnvelope, type DeliveryStatus, messageKey, Topics } from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { SentMessageStore } from '../outbound/sent-message.store';
import { WHATSAPP_SOURCE } from '../whatsapp.source';
import { deliveryStateOfAck, isWebAck, WEB_ACK_ERROR } from './web-ack.mapper';
import type { WebMessage } from './web-client.port';
import { SEND_SETTLE_TIMEOUT_MS, type WebSessionContext } from './web-inbound.service';

export type WebStatusOutcome = 'published' | 'ignored' | 'unattributed' | 'stale';

/**
 * `message_ack` events of our messages as DeliveryStatus of our message ids. An ack names only the WhatsApp id: it
 * is mapped back through the send tracker (for the acks that overtake `sendMessage`) or the sent-message store. Acks
 * of messages typed on the phone are not ours to report. Statuses only move forward here already: an ack older than
 * what was reported (they arrive out of order) is dropped, as the router would.
 */
@Injectable()
export class WebStatusService {
  private readonly logger = new Logger(WebStatusService.name);

  constructor(
    private readonly bus: MessageBus,
    private readonly sentMessages: SentMessageStore,
  ) {}

  async acknowledged(
    session: WebSessionContext,
    message: WebMessage,
    ack: number,
  ): Promise<WebStatusOutcome> {
    const externalId = message.id._serialized;
    const state = isWebAck(ack) ? deliveryStateOfAck(ack) : undefined;
    if (!message.id.fromMe || !state) return 'ignored';
    await session.tracker.settled(SEND_SETTLE_TIMEOUT_MS);
    const reference = session.tracker.referenceOf(externalId) ?? (await this.sentMessages.get(externalId));
    if (!reference) {
      this.logger.debug(
        { sessionId: session.id, externalId, ack },
        'ack of a message not sent by Ponte: ignored',
      );
      return 'unattributed';
    }
    // `unknown`: the record of the send failed to be written; the router still orders what is published.
    if ((await this.sentMessages.advance(externalId, state)) === 'stale') {
      this.logger.debug(
        { sessionId: session.id, externalId, state },
        'ack older than the status reported: dropped',
      );
      return 'stale';
    }
    const status: DeliveryStatus = {
      messageId: reference.messageId,
      conversationId: reference.conversationId,
      channel: 'whatsapp',
      channelAccountId: session.channelAccountId,
      externalId,
      state,
      occurredAt: new Date().toISOString(),
      ...(state === 'failed'
        ? {
            error: {
              code: WEB_ACK_ERROR,
              message: 'WhatsApp reported the message as not delivered (ack error); it will not be retried',
              retryable: false,
            },
          }
        : {}),
    };
    const envelope = createEnvelope(Topics.deliveryStatus, status, {
      source: WHATSAPP_SOURCE,
      tenantId: reference.tenantId,
      id: `whatsapp-web:${externalId}:${state}`,
    });
    await this.bus.publish(Topics.deliveryStatus, envelope, {
      key: messageKey(Topics.deliveryStatus, status),
    });
    this.logger.log(
      { messageId: reference.messageId, conversationId: reference.conversationId, externalId, state },
      'WhatsApp Web status published',
    );
    return 'published';
  }
}
