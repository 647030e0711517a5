import type { AgentCommandOf } from '@ponte/contracts';
import type { QueueSeed } from './queue-seed';

type ConfigurationChange = Pick<
  AgentCommandOf<'configure'>,
  'queues' | 'agents' | 'routing' | 'channelAccounts'
>;

/** Replaces the entries whose id a change names and appends the new ones, keeping the order of the others. */
function upsertById<T>(
  current: readonly T[],
  changes: readonly T[] | undefined,
  id: (entry: T) => string,
): T[] {
  if (!changes) return [...current];
  const changed = new Map(changes.map((entry) => [id(entry), entry]));
  const kept = current.map((entry) => changed.get(id(entry)) ?? entry);
  const known = new Set(current.map(id));
  return [...kept, ...changes.filter((entry) => !known.has(id(entry)))];
}

/**
 * The whole configuration a `configure` command asks for, still to be checked as a seed is: queues and agents
 * replaced or added by id, routing replaced, reply accounts merged. A plain value (the command's class instances
 * are copied), so what is stored is data.
 */
export function withChanges(current: QueueSeed | null, change: ConfigurationChange): unknown {
  const next = {
    queues: upsertById(current?.queues ?? [], change.queues, (queue) => queue.queueId),
    agents: upsertById(current?.agents ?? [], change.agents, (agent) => agent.agentId),
    routing: change.routing ?? current?.routing,
    channelAccounts: { ...current?.channelAccounts, ...change.channelAccounts },
  };
  return JSON.parse(JSON.stringify(next)) as unknown;
}
