import { Injectable } from '@nestjs/common';
import { type AnyPublishRecord, MessageBus } from '@ponte/messaging';
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
 * the cause (`causeId`, e.g. the message id or command id) and the event's kind, so a replay re-emits the
 * same ids and downstream consumers can drop the copies.
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
    return [
      ...emission.events.map((event) => ({
        topic: Topics.conversationEvent,
        key: event.conversationId,
        envelope: createEnvelope(Topics.conversationEvent, event, {
          source: ROUTER_SOURCE,
          tenantId,
          subject: event.conversationId,
          traceparent,
          // One event of a kind per cause, so the kind identifies it even if a replay emits fewer events.
          id: stableId(causeId, 'event', event.kind),
        }),
      })),
      ...(emission.outbound ?? []).map((message) => ({
        topic: outboundTopic(message.channel),
        key: message.conversationId,
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
