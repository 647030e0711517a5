import { Injectable } from '@nestjs/common';
import type { EnvelopeOf, Topics } from '@ponte/contracts';
import { RejectedMessageError } from '@ponte/messaging';
import { ConversationEventsPublisher } from '../events/conversation-events.publisher';
import { stableId } from '../shared/stable-id';
import type { TimelineMessage } from './timeline-message.schema';
import { TimelineStore } from './timeline.store';

type StatusEnvelope = EnvelopeOf<typeof Topics.deliveryStatus>;

/**
 * Provider delivery reports for outgoing messages. A status only moves forward (read > delivered > failed > sent >
 * queued, see the contract's deliveryStateRank); an older or repeated report changes nothing. The event of a state
 * has a stable id, so re-emitting it after a crash is harmless.
 */
@Injectable()
export class DeliveryStatusHandler {
  constructor(
    private readonly timeline: TimelineStore,
    private readonly events: ConversationEventsPublisher,
  ) {}

  async handle(envelope: StatusEnvelope): Promise<void> {
    const { tenantId, data: status } = envelope;
    const advanced = await this.timeline.advanceDelivery(tenantId, status.messageId, {
      state: status.state,
      ...(status.externalId ? { providerMessageId: status.externalId } : {}),
      ...(status.error ? { error: { code: status.error.code, message: status.error.message } } : {}),
    });
    const message = advanced ?? (await this.timeline.get(tenantId, status.messageId));
    if (!message)
      throw new RejectedMessageError('UNKNOWN_MESSAGE', `no outgoing message ${status.messageId}`);
    if (message.channel === 'email' && status.externalId && status.state !== 'failed')
      await this.timeline.recordSentEmailMessageId(message, status.externalId);
    // Behind the stored state: an out-of-order report, nothing to say.
    if (!advanced && message.deliveryState !== status.state) return;
    await this.events.publish(tenantId, stableId('status', message._id, status.state), {
      events: [statusEvent(message, status.occurredAt)],
    });
  }
}

function statusEvent(message: TimelineMessage, occurredAt: string) {
  return {
    kind: 'message.status.updated' as const,
    conversationId: message.conversationId,
    customerId: message.customerId,
    occurredAt,
    messageId: message._id,
    state: message.deliveryState ?? 'queued',
    ...(message.providerError ? { error: message.providerError } : {}),
  };
}
