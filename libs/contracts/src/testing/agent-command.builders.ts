import { randomUUID } from 'node:crypto';
import type { AgentCommandBase, AgentCommandKind, AgentCommandOf } from '../payloads/agent-command.dto';
import { BUILDER_TIME, buildAgentRef } from './message.builders';

const intake = {
  category: 'acesso/login',
  summary: 'Cliente não consegue acessar a conta',
  triedSteps: ['Reenvio do código por SMS'],
};

type CommonFields = Pick<AgentCommandBase, 'commandId' | 'agent' | 'issuedAt'>;

const builders: { readonly [K in AgentCommandKind]: (common: CommonFields) => AgentCommandOf<K> } = {
  reply: (common) => ({
    ...common,
    kind: 'reply',
    conversationId: 'conversation-1',
    content: { text: 'Olá! Estamos verificando.' },
  }),
  note: (common) => ({
    ...common,
    kind: 'note',
    conversationId: 'conversation-1',
    content: { text: 'Cliente VIP' },
  }),
  transfer: (common) => ({
    ...common,
    kind: 'transfer',
    conversationId: 'conversation-1',
    toQueueId: 'queue-n1-financeiro',
  }),
  escalate: (common) => ({
    ...common,
    kind: 'escalate',
    conversationId: 'conversation-1',
    toTier: 'n2',
    intake,
  }),
  resolve: (common) => ({ ...common, kind: 'resolve', conversationId: 'conversation-1' }),
  reopen: (common) => ({ ...common, kind: 'reopen', conversationId: 'conversation-1' }),
  merge: (common) => ({
    ...common,
    kind: 'merge',
    conversationId: 'conversation-1',
    sourceCustomerId: 'customer-2',
    targetCustomerId: 'customer-1',
  }),
  split: (common) => ({ ...common, kind: 'split', conversationId: 'conversation-1', mergeId: 'merge-1' }),
  'set-priority': (common) => ({
    ...common,
    kind: 'set-priority',
    conversationId: 'conversation-1',
    priority: 'high',
  }),
  'set-presence': (common) => ({ ...common, kind: 'set-presence', presence: 'online' }),
  configure: (common) => ({
    ...common,
    agent: buildAgentRef({ id: 'admin-1', role: 'admin' }),
    kind: 'configure',
    queues: [{ queueId: 'n1-financeiro', name: 'Financeiro N1', kind: 'solver', tier: 'n1', skills: [] }],
  }),
};

/** A valid command of the given kind with a fresh commandId, e.g. `buildAgentCommand('escalate', { toTier: 'n3' })`. */
export function buildAgentCommand<K extends AgentCommandKind>(
  kind: K,
  overrides: Partial<AgentCommandOf<K>> = {},
): AgentCommandOf<K> {
  const common = { commandId: randomUUID(), agent: buildAgentRef(), issuedAt: BUILDER_TIME };
  return { ...builders[kind](common), ...overrides };
}
