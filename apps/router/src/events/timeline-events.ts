import type { ConversationEvent } from '@ponte/contracts';
import type { Assignment } from '../assignment';
import type { Conversation } from '../conversations/conversation.schema';
import type { ConversationStore } from '../conversations/conversation.store';
import type { TimelineMessage } from '../timeline/timeline-message.schema';

/** The contract's view of a stored timeline entry. */
export function appendedEvent(message: TimelineMessage): ConversationEvent {
  return {
    kind: 'message.appended',
    conversationId: message.conversationId,
    customerId: message.customerId,
    occurredAt: message.createdAt.toISOString(),
    message: {
      messageId: message._id,
      direction: message.direction,
      ...(message.channel === 'internal' ? {} : { channel: message.channel }),
      externalId: message.externalId,
      content: message.content,
      ...(message.attachments ? { attachments: message.attachments } : {}),
      ...(message.author ? { author: message.author } : {}),
      ...(message.deliveryState ? { deliveryState: message.deliveryState } : {}),
      ...(message.automated ? { automated: message.automated } : {}),
      ...(message.revision ? { revision: message.revision } : {}),
      createdAt: message.createdAt.toISOString(),
    },
  };
}

/** The `message.revised` event of a stored message's latest revision. */
export function revisedEvent(message: TimelineMessage): ConversationEvent {
  return {
    kind: 'message.revised',
    conversationId: message.conversationId,
    customerId: message.customerId,
    occurredAt: (message.revisedAt ?? message.createdAt).toISOString(),
    messageId: message._id,
    revision: message.revision ?? 'edited',
    content: message.content,
  };
}

export function createdEvent(conversation: Conversation): ConversationEvent {
  return {
    kind: 'created',
    conversationId: conversation._id,
    customerId: conversation.customerId,
    occurredAt: conversation.createdAt.toISOString(),
    channel: conversation.channel,
    queueId: conversation.queueId,
    priority: conversation.priority,
  };
}

export function assignedEvent(assignment: Assignment, customerId: string): ConversationEvent {
  return {
    kind: 'assigned',
    conversationId: assignment.conversationId,
    customerId,
    occurredAt: assignment.assignedAt.toISOString(),
    agentId: assignment.agentId,
    queueId: assignment.queueId,
  };
}

/** The `assigned` events of assignments made as a side effect (a drain); each needs its conversation's customer. */
export async function assignedEventsFor(
  conversations: ConversationStore,
  tenantId: string,
  assignments: readonly Assignment[],
): Promise<ConversationEvent[]> {
  const events: ConversationEvent[] = [];
  for (const assignment of assignments) {
    const conversation = await conversations.get(tenantId, assignment.conversationId);
    if (conversation) events.push(assignedEvent(assignment, conversation.customerId));
  }
  return events;
}
