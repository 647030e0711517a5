import type { AgentPresence, AgentRole, QueueKind, SupportTier } from '@ponte/contracts';
import type { ChannelKind } from '../shared/channel-kind';

export type { ChannelKind };

export const CHANNEL_KINDS = ['messaging', 'email'] as const satisfies readonly ChannelKind[];

export { QUEUE_KINDS, type QueueKind } from '@ponte/contracts';

export const QUEUES_COLLECTION = 'queues';
export const AGENTS_COLLECTION = 'agents';
/** One document per conversation an agent holds: the agent's load, kept with unique indexes (see CapacityUnit). */
export const CAPACITY_UNITS_COLLECTION = 'agent_capacity_units';
/** When each agent last received a conversation: the assignment's tie-break. */
export const AGENT_ACTIVITY_COLLECTION = 'agent_activity';
/** One document per tenant: the routing rules, the default queue and the accounts replies are sent from. */
export const QUEUE_SETTINGS_COLLECTION = 'queue_settings';

export type KindCounters = Record<ChannelKind, number>;
/** Own limits of some channel kinds (e-mail is slower than chat); the other kinds share the agent's capacity. */
export type CapacityByKind = Partial<Record<ChannelKind, number>>;

/** Where a conversation's unit of capacity is counted: the kind's own limit, or the capacity the other kinds share. */
export type CapacityPool = 'shared' | ChannelKind;

export interface Queue {
  queueId: string;
  tenantId: string;
  name: string;
  kind: QueueKind;
  tier: SupportTier;
  skills: string[];
}

export interface AgentCapacity {
  /** Conversations held at once, of the kinds without a limit of their own. */
  capacity: number;
  capacityByKind: CapacityByKind;
}

export interface Agent extends AgentCapacity {
  agentId: string;
  tenantId: string;
  role: AgentRole;
  displayName: string;
  queueIds: string[];
  presence: AgentPresence;
  /** Conversations the agent holds now (may exceed a capacity lowered meanwhile). */
  load: number;
  loadByKind: KindCounters;
  /** Last time the agent received a conversation (or came online): the tie-break of the assignment. */
  lastAssignedAt: Date;
}

/** Stored form of a queue; `_id` is `${tenantId}|${queueId}` because queue ids are chosen per tenant. */
export interface QueueDocument {
  _id: string;
  tenantId: string;
  queueId: string;
  name: string;
  kind: QueueKind;
  tier: SupportTier;
  skills: string[];
  /** Position in the seed: the first queue of a tier is its default. */
  order: number;
  updatedAt: Date;
}

/** Stored form of an agent: its configuration and presence; `_id` is `${tenantId}|${agentId}`. */
export interface AgentDocument extends AgentCapacity {
  _id: string;
  tenantId: string;
  agentId: string;
  role: AgentRole;
  displayName: string;
  queueIds: string[];
  presence: AgentPresence;
  /** Time of the presence change applied last: an older command arriving late changes nothing. */
  presenceChangedAt: Date | null;
  updatedAt: Date;
}

/**
 * One conversation held by one agent. Units are only ever inserted and deleted, never updated, because an insert
 * checked by a unique index is the one write FerretDB 1.24 (SQLite backend) makes atomic: its updates read and
 * write back whole documents, so two concurrent guarded `$inc`s both pass their guard. Two unique indexes carry the
 * guarantees: `(tenant, agent, pool, slot)` with `slot < limit` caps the pool, and `(tenant, agent, conversation)`
 * makes an agent hold a conversation once.
 */
export interface CapacityUnit {
  /** Random per reservation, so deleting a unit never deletes a later one of the same conversation. */
  _id: string;
  tenantId: string;
  agentId: string;
  conversationId: string;
  kind: ChannelKind;
  pool: CapacityPool;
  slot: number;
  at: Date;
  /**
   * Wall-clock time of the reservation. A unit reserved for a conversation about to be inserted (assigned as it is
   * created) names a conversation that does not exist yet; reconciliation leaves such a unit alone for a lease.
   */
  reservedAt?: Date;
}

export interface AgentActivityDocument {
  _id: string;
  tenantId: string;
  agentId: string;
  lastAssignedAt: Date;
}

export function scopedId(tenantId: string, id: string): string {
  return `${tenantId}|${id}`;
}

export function toQueue(document: QueueDocument): Queue {
  const { queueId, tenantId, name, kind, tier, skills } = document;
  return { queueId, tenantId, name, kind, tier, skills };
}
