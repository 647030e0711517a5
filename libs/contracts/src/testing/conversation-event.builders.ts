import type {
  ConversationEventBase,
  ConversationEventKind,
  ConversationEventOf,
} from '../payloads/conversation-event.dto';
import { BUILDER_TIME, buildAgentRef } from './message.builders';

type CommonFields = Pick<ConversationEventBase, 'conversationId' | 'customerId' | 'occurredAt'>;

const agent = buildAgentRef({ role: 'director' });

type EventBuilders = {
  readonly [K in ConversationEventKind]: (common: CommonFields) => ConversationEventOf<K>;
};

const builders: EventBuilders = {
  created: (common) => ({ ...common, kind: 'created', channel: 'whatsapp', priority: 'normal' }),
  'message.appended': (common) => ({
    ...common,
    kind: 'message.appended',
    message: {
      messageId: 'message-1',
      direction: 'incoming',
      channel: 'whatsapp',
      content: { text: 'Olá, não consigo acessar minha conta — é urgente!' },
      createdAt: BUILDER_TIME,
    },
  }),
  'message.status.updated': (common) => ({
    ...common,
    kind: 'message.status.updated',
    messageId: 'message-2',
    state: 'delivered',
  }),
  'message.revised': (common) => ({
    ...common,
    kind: 'message.revised',
    messageId: 'message-1',
    revision: 'edited',
    content: { text: 'Olá, não consigo acessar minha conta desde ontem' },
  }),
  assigned: (common) => ({ ...common, kind: 'assigned', agentId: agent.id }),
  transferred: (common) => ({
    ...common,
    kind: 'transferred',
    toQueueId: 'queue-n1-financeiro',
    by: agent,
  }),
  escalated: (common) => ({
    ...common,
    kind: 'escalated',
    fromTier: 'n1',
    toTier: 'n2',
    intake: { category: 'acesso/login', summary: 'Sem acesso à conta', triedSteps: [] },
    by: agent,
  }),
  resolved: (common) => ({ ...common, kind: 'resolved' }),
  reopened: (common) => ({ ...common, kind: 'reopened' }),
  'priority.changed': (common) => ({ ...common, kind: 'priority.changed', priority: 'urgent' }),
  'sla.breached': (common) => ({
    ...common,
    kind: 'sla.breached',
    sla: 'first-response',
    dueAt: BUILDER_TIME,
  }),
  'customer.merged': (common) => ({
    ...common,
    kind: 'customer.merged',
    mergeId: 'merge-1',
    sourceCustomerId: 'customer-2',
    targetCustomerId: 'customer-1',
  }),
  'customer.split': (common) => ({
    ...common,
    kind: 'customer.split',
    mergeId: 'merge-1',
    restoredCustomerId: 'customer-2',
    by: agent,
  }),
  'customer.merge.suggested': (common) => ({
    ...common,
    kind: 'customer.merge.suggested',
    candidateCustomerId: 'customer-3',
    evidence: ['same display name'],
  }),
};

/** A valid event of the given kind, e.g. `buildConversationEvent('assigned', { agentId: 'agent-7' })`. */
export function buildConversationEvent<K extends ConversationEventKind>(
  kind: K,
  overrides: Partial<ConversationEventOf<K>> = {},
): ConversationEventOf<K> {
  const common = { conversationId: 'conversation-1', customerId: 'customer-1', occurredAt: BUILDER_TIME };
  return { ...builders[kind](common), ...overrides };
}
