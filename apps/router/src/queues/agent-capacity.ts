import type { AgentRole } from '@ponte/contracts';
import {
  type AgentCapacity,
  CHANNEL_KINDS,
  type CapacityPool,
  type ChannelKind,
  type KindCounters,
} from './queue.model';

/** Roles that may act on any conversation, whatever its queue (invariant 5). */
const SUPERVISING_ROLES: ReadonlySet<AgentRole> = new Set<AgentRole>(['supervisor', 'admin']);

/** Whether the agent may act on a conversation of this queue: a member of it, or a supervisor or admin. */
export function canAgentAct(
  agent: { role: AgentRole; queueIds: readonly string[] },
  queueId: string,
): boolean {
  return SUPERVISING_ROLES.has(agent.role) || agent.queueIds.includes(queueId);
}

/** A kind with a limit of its own is counted against it alone; the other kinds share the capacity. */
export function poolOf(capacity: AgentCapacity, kind: ChannelKind): CapacityPool {
  return capacity.capacityByKind[kind] === undefined ? 'shared' : kind;
}

export function limitOf(capacity: AgentCapacity, pool: CapacityPool): number {
  return pool === 'shared' ? capacity.capacity : (capacity.capacityByKind[pool] ?? capacity.capacity);
}

/** The kinds counted in the pool of `kind`, with the agent's configuration as it is now. */
export function kindsSharingPool(capacity: AgentCapacity, kind: ChannelKind): ChannelKind[] {
  const pool = poolOf(capacity, kind);
  return CHANNEL_KINDS.filter((candidate) => poolOf(capacity, candidate) === pool);
}

export function loadByKindOf(held: readonly { kind: ChannelKind }[]): KindCounters {
  const load: KindCounters = { messaging: 0, email: 0 };
  for (const unit of held) load[unit.kind] += 1;
  return load;
}

/**
 * Conversations of this kind the agent can still take: its pool's limit minus what the pool holds. Negative when
 * the limit was lowered below the load (nothing new comes until the load is below the limit again).
 */
export function freeFor(
  capacity: AgentCapacity,
  held: readonly { kind: ChannelKind }[],
  kind: ChannelKind,
): number {
  const kinds = kindsSharingPool(capacity, kind);
  return limitOf(capacity, poolOf(capacity, kind)) - held.filter((unit) => kinds.includes(unit.kind)).length;
}
