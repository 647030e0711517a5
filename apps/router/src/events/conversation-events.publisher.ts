import { Injectable } from '@nestjs/common';
import { type AnyPublishRecord, MessageBus, MessageHeader } from '@ponte/messaging';
import {
  type ConversationEvent,
  createEnvelope,
  type OutboundMessage,
  outboundTopic,
  Topics,
} from '@ponte/contracts';
import { stableId } from '../shared/stable-id';

export const ROUTER_SOURCE = '/ponte/router';

/** What one unit of work (an inbound message, a command) emits, in order. */
export interface Emission {
  events: ConversationEvent[];
  outbound?: OutboundMessage[];
}

/**
 * Publishes the router's events in one batch after the state they describe is stored. Envelope ids derive from
 * the cause (`causeId`, e.g. the message id or command id), the event's kind and its conversation, so a replay
 * re-emits the same ids and downstream consumers can drop the copies, while one cause that assigns several
 * conversations (a resolve freeing room for the waiting line) names each `assigned` apart. Every record carries
 * the cause in the `x-ponte-cause-id` header: the gateway recognises the outcome of its commands by it.
 */
@Injectable()
export class ConversationEventsPublisher {
  constructor(private readonly bus: MessageBus) {}

  async publish(tenantId: string, causeId: string, emission: Emission, traceparent?: string): Promise<void> {
    await this.bus.publishBatch(this.records(tenantId, causeId, emission, traceparent));
  }

  /** Several causes' emissions in one produce request (a consumer batch's worth). */
  async publishAll(
    emissions: readonly {
      tenantId: string;
      causeId: string;
      events: ConversationEvent[];
      traceparent?: string;
    }[],
  ): Promise<void> {
    await this.bus.publishBatch(
      emissions.flatMap(({ tenantId, causeId, events, traceparent }) =>
        this.records(tenantId, causeId, { events }, traceparent),
      ),
    );
  }

  private records(
    tenantId: string,
    causeId: string,
    emission: Emission,
    traceparent?: string,
  ): AnyPublishRecord[] {
    const headers = { [MessageHeader.causeId]: causeId };
    return [
      ...emission.events.map((event) => ({
        topic: Topics.conversationEvent,
        key: event.conversationId,
        headers,
        envelope: createEnvelope(Topics.conversationEvent, event, {
          source: ROUTER_SOURCE,
          tenantId,
          subject: event.conversationId,
          traceparent,
          // One event of a kind per cause and conversation, so these identify it even if a replay emits fewer events.
          id: stableId(causeId, 'event', event.kind, event.conversationId),
        }),
      })),
      ...(emission.outbound ?? []).map((message) => ({
        topic: outboundTopic(message.channel),
        key: message.conversationId,
        headers,
        envelope: createEnvelope(outboundTopic(message.channel), message, {
          source: ROUTER_SOURCE,
          tenantId,
          subject: message.conversationId,
          traceparent,
          id: stableId(causeId, 'outbound', message.messageId),
        }),
      })),
    ] as AnyPublishRecord[];
  }
}
