import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { AgentPresence } from '@ponte/contracts';
import { findById, insertManyOnce, isDuplicateKeyError } from '@ponte/persistence';
import type { Collection, Connection } from 'mongoose';
import { freeFor, kindsSharingPool, limitOf, loadByKindOf, poolOf } from './agent-capacity';
import type { AgentSeedEntry } from './queue-seed';
import {
  AGENT_ACTIVITY_COLLECTION,
  type Agent,
  type AgentActivityDocument,
  type AgentCapacity,
  type AgentDocument,
  AGENTS_COLLECTION,
  CAPACITY_UNITS_COLLECTION,
  type CapacityUnit,
  type ChannelKind,
  scopedId,
} from './queue.model';

export type PresenceChange = 'changed' | 'stale' | 'unknown-agent';

/** An agent as the assignment sees it: configuration, presence, the conversations it holds, when it last got one. */
export interface AgentState {
  agent: AgentDocument;
  held: CapacityUnit[];
  lastAssignedAt: Date;
}

/**
 * The agents of every tenant and their load. The load is a set of CapacityUnit documents guarded by unique
 * indexes, not a counter: FerretDB 1.24 does not apply an update atomically, but it does reject a second insert of a
 * unique key, with any number of router instances.
 */
@Injectable()
export class AgentRoster implements OnModuleInit {
  private readonly agents: Collection<AgentDocument>;
  private readonly units: Collection<CapacityUnit>;
  private readonly activity: Collection<AgentActivityDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.agents = connection.collection<AgentDocument>(AGENTS_COLLECTION);
    this.units = connection.collection<CapacityUnit>(CAPACITY_UNITS_COLLECTION);
    this.activity = connection.collection<AgentActivityDocument>(AGENT_ACTIVITY_COLLECTION);
  }

  async onModuleInit(): Promise<void> {
    await this.agents.createIndex({ tenantId: 1, queueIds: 1, presence: 1 }, { name: 'agents_of_queue' });
    await this.units.createIndex(
      { tenantId: 1, agentId: 1, pool: 1, slot: 1 },
      { unique: true, name: 'one_conversation_per_slot' },
    );
    await this.units.createIndex(
      { tenantId: 1, agentId: 1, conversationId: 1 },
      { unique: true, name: 'one_unit_per_agent_and_conversation' },
    );
    await this.units.createIndex({ tenantId: 1, conversationId: 1 }, { name: 'units_of_conversation' });
  }

  document(tenantId: string, agentId: string): Promise<AgentDocument | null> {
    return findById<AgentDocument>(this.agents, scopedId(tenantId, agentId), { tenantId });
  }

  async agent(tenantId: string, agentId: string): Promise<Agent | null> {
    const document = await this.document(tenantId, agentId);
    if (!document) return null;
    const [state] = await this.withState(tenantId, [document]);
    return state ? toAgent(state) : null;
  }

  async ofQueue(tenantId: string, queueId: string): Promise<Agent[]> {
    const documents = await this.agents.find({ tenantId, queueIds: queueId }).sort({ agentId: 1 }).toArray();
    return (await this.withState(tenantId, documents)).map(toAgent);
  }

  /** Online agents of any of these queues, with what they hold. */
  async onlineIn(tenantId: string, queueIds: readonly string[]): Promise<AgentState[]> {
    const documents = await this.agents
      .find({ tenantId, queueIds: { $in: [...queueIds] }, presence: 'online' })
      .toArray();
    return this.withState(tenantId, documents);
  }

  /** The units the agent holds, one per conversation. */
  heldBy(tenantId: string, agentId: string): Promise<CapacityUnit[]> {
    return this.units.find({ tenantId, agentId }).toArray();
  }

  /** Deletes one unit by its own id (never a later unit of the same conversation). */
  async releaseUnit(unit: Pick<CapacityUnit, '_id' | 'tenantId'>): Promise<boolean> {
    // By `_id` alone (FerretDB's indexed form); unit ids are random UUIDs, unique across tenants.
    const result = await this.units.deleteOne({ _id: unit._id });
    return result.deletedCount === 1;
  }

  /** The units held for a conversation, by any agent. */
  holdersOf(tenantId: string, conversationId: string): Promise<CapacityUnit[]> {
    return this.units.find({ tenantId, conversationId }).toArray();
  }

  /**
   * Takes one unit of the agent's capacity for the conversation: a free slot below the pool's limit, claimed by
   * inserting it. Returns the unit, or null when the pool is full, the agent holds the conversation already, or every
   * free slot was taken meanwhile. The caller has checked presence and queue membership from the same read of the agent
   * (`state`, from onlineIn); the slots it shows free may have been taken since, which the unique slot index
   * reports, so a stale read costs a retry, never an extra unit.
   */
  async reserve(
    state: AgentState,
    conversation: { _id: string; channelKind: ChannelKind },
    at: Date,
    options: { recordActivity?: boolean } = {},
  ): Promise<CapacityUnit | null> {
    const { agent, held } = state;
    const { tenantId, agentId } = agent;
    const kind = conversation.channelKind;
    const pool = poolOf(agent, kind);
    const limit = limitOf(agent, pool);
    if (held.some((unit) => unit.conversationId === conversation._id) || freeFor(agent, held, kind) <= 0)
      return null;
    // Slots at or above the limit exist only after the limit was lowered (or kinds were re-split); only then can
    // a free slot below it still put the pool over, which a count after the insert catches.
    const sharing = kindsSharingPool(agent, kind);
    const overflowPossible = held.some((unit) => sharing.includes(unit.kind) && unit.slot >= limit);
    const taken = new Set(held.filter((unit) => unit.pool === pool).map((unit) => unit.slot));
    const free = Array.from({ length: limit }, (_, slot) => slot).filter((slot) => !taken.has(slot));
    // Tried from a random free slot on: concurrent attempts that read the same free slots rarely collide.
    const start = Math.floor(Math.random() * free.length);
    for (const slot of [...free.slice(start), ...free.slice(0, start)]) {
      const unit: CapacityUnit = {
        _id: randomUUID(),
        tenantId,
        agentId,
        conversationId: conversation._id,
        kind,
        pool,
        slot,
        at,
        reservedAt: new Date(),
      };
      try {
        await this.units.insertOne(unit);
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        continue;
      }
      // The slots cap the pool unless units counted in it hold other slots (its limit was lowered or re-split):
      // count after inserting, and step back when over. The last of concurrent inserts sees all the others.
      const inPool = overflowPossible
        ? await this.units.countDocuments({ tenantId, agentId, kind: { $in: sharing } })
        : 0;
      if (inPool > limit) {
        await this.units.deleteOne({ _id: unit._id });
        return null;
      }
      // Unless the caller records it for many assignments at once (recordAssignments).
      if (options.recordActivity ?? true) await this.markAssigned(tenantId, agentId, at);
      return unit;
    }
    return null;
  }

  /**
   * The unit `reserve` would try first, without writing it: a free slot below the pool's limit, or null when the
   * agent has no room, holds the conversation already, or its pool may be over a lowered limit (only `reserve`'s
   * count after the insert handles that case). For many assignments at once: see insertUnits.
   */
  planUnit(
    state: AgentState,
    conversation: { _id: string; channelKind: ChannelKind },
    at: Date,
  ): CapacityUnit | null {
    const { agent, held } = state;
    const kind = conversation.channelKind;
    const pool = poolOf(agent, kind);
    const limit = limitOf(agent, pool);
    if (held.some((unit) => unit.conversationId === conversation._id) || freeFor(agent, held, kind) <= 0)
      return null;
    const sharing = kindsSharingPool(agent, kind);
    if (held.some((unit) => sharing.includes(unit.kind) && unit.slot >= limit)) return null;
    const taken = new Set(held.filter((unit) => unit.pool === pool).map((unit) => unit.slot));
    const free = Array.from({ length: limit }, (_, slot) => slot).filter((slot) => !taken.has(slot));
    const slot = free[Math.floor(Math.random() * free.length)];
    if (slot === undefined) return null;
    return {
      _id: randomUUID(),
      tenantId: agent.tenantId,
      agentId: agent.agentId,
      conversationId: conversation._id,
      kind,
      pool,
      slot,
      at,
      reservedAt: new Date(),
    };
  }

  /**
   * Inserts planned units in one round trip; the unique indexes refuse a slot another attempt took meanwhile (or a
   * conversation the agent holds already). Returns the positions of the refused ones: nothing of them was written.
   */
  async insertUnits(units: readonly CapacityUnit[]): Promise<Set<number>> {
    const { duplicates } = await insertManyOnce<CapacityUnit>(this.units, [...units]);
    return new Set(duplicates);
  }

  /** Gives back what the agent holds for the conversation; false when it held nothing (already given back). */
  async release(tenantId: string, agentId: string, conversationId: string): Promise<boolean> {
    const units = await this.units.find({ tenantId, agentId, conversationId }).toArray();
    // By the unit's own random id: a later unit of the same conversation is never the one deleted.
    for (const unit of units) await this.units.deleteOne({ _id: unit._id });
    return units.length > 0;
  }

  /**
   * Applies a presence change unless a later one was applied already. Coming online counts as the last assignment
   * for the tie-break (the agent has not been idle in the queue), as the assignment policy expects.
   */
  async setPresence(
    tenantId: string,
    agentId: string,
    presence: AgentPresence,
    at: Date,
  ): Promise<PresenceChange> {
    const _id = scopedId(tenantId, agentId);
    const before = await findById<AgentDocument>(this.agents, _id, { tenantId });
    if (!before) return 'unknown-agent';
    const result = await this.agents.updateOne(
      { _id, tenantId, $or: [{ presenceChangedAt: null }, { presenceChangedAt: { $lte: at } }] },
      { $set: { presence, presenceChangedAt: at, updatedAt: new Date() } },
    );
    if (result.matchedCount === 0) return 'stale';
    if (presence === 'online' && before.presence !== 'online') await this.markAssigned(tenantId, agentId, at);
    return 'changed';
  }

  /** Changes the limits; the load stays. A limit below the load takes nothing from the agent, it only stops new work. */
  async setCapacity(tenantId: string, agentId: string, capacity: AgentCapacity): Promise<boolean> {
    const result = await this.agents.updateOne(
      { _id: scopedId(tenantId, agentId), tenantId },
      {
        $set: {
          capacity: capacity.capacity,
          capacityByKind: { ...capacity.capacityByKind },
          updatedAt: new Date(),
        },
      },
    );
    return result.matchedCount === 1;
  }

  /**
   * Creates the agent, or updates what the seed states (role, name, queues, capacity) while keeping the live state
   * (presence, held conversations): applying the same seed again, or a changed one, never resets a working agent.
   */
  async upsert(tenantId: string, entry: AgentSeedEntry, at: Date): Promise<void> {
    const _id = scopedId(tenantId, entry.agentId);
    const configuration = {
      role: entry.role,
      displayName: entry.displayName,
      queueIds: [...entry.queueIds],
      capacity: entry.capacity,
      capacityByKind: { ...entry.capacityByKind },
      updatedAt: new Date(),
    };
    await this.insertIgnoringDuplicate(this.activity, {
      _id,
      tenantId,
      agentId: entry.agentId,
      lastAssignedAt: at,
    });
    if (await this.agents.countDocuments({ _id, tenantId })) {
      await this.agents.updateOne({ _id, tenantId }, { $set: configuration });
      return;
    }
    const created = await this.insertIgnoringDuplicate(this.agents, {
      _id,
      tenantId,
      agentId: entry.agentId,
      ...configuration,
      presence: entry.presence ?? 'offline',
      presenceChangedAt: null,
    });
    // Another instance created it at the same moment: update it like an existing one.
    if (!created) await this.agents.updateOne({ _id, tenantId }, { $set: configuration });
  }

  /** Every agent of the tenant, as configured (no live state), by id. */
  configured(tenantId: string): Promise<AgentDocument[]> {
    return this.agents.find({ tenantId }).sort({ agentId: 1 }).toArray();
  }

  private async withState(tenantId: string, documents: readonly AgentDocument[]): Promise<AgentState[]> {
    if (documents.length === 0) return [];
    const agentIds = documents.map((document) => document.agentId);
    const [units, activity] = await Promise.all([
      this.units.find({ tenantId, agentId: { $in: agentIds } }).toArray(),
      this.activity.find({ tenantId, agentId: { $in: agentIds } }).toArray(),
    ]);
    return documents.map((agent) => ({
      agent,
      held: units.filter((unit) => unit.agentId === agent.agentId),
      lastAssignedAt:
        activity.find((entry) => entry.agentId === agent.agentId)?.lastAssignedAt ?? new Date(0),
    }));
  }

  /** markAssigned for many assignments in one bulk write: each agent's latest assignment time. */
  async recordAssignments(
    tenantId: string,
    assignments: readonly { agentId: string; assignedAt: Date }[],
  ): Promise<void> {
    const latest = new Map<string, Date>();
    for (const { agentId, assignedAt } of assignments) {
      const previous = latest.get(agentId);
      if (!previous || previous < assignedAt) latest.set(agentId, assignedAt);
    }
    if (latest.size === 0) return;
    await this.activity.bulkWrite(
      [...latest].map(([agentId, at]) => ({
        updateOne: {
          filter: { _id: scopedId(tenantId, agentId) },
          update: { $max: { lastAssignedAt: at }, $setOnInsert: { tenantId, agentId } },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }

  /** Kept apart from the agent document: FerretDB writes whole documents, so a concurrent write here would otherwise undo a presence change. */
  private async markAssigned(tenantId: string, agentId: string, at: Date): Promise<void> {
    // The seed creates the record, so the update is the common case; the scoped `_id` carries the tenant.
    const _id = scopedId(tenantId, agentId);
    const updated = await this.activity.updateOne({ _id }, { $max: { lastAssignedAt: at } });
    if (updated.matchedCount === 1) return;
    if (await this.insertIgnoringDuplicate(this.activity, { _id, tenantId, agentId, lastAssignedAt: at }))
      return;
    await this.activity.updateOne({ _id }, { $max: { lastAssignedAt: at } });
  }

  private async insertIgnoringDuplicate<T extends { _id: string }>(
    collection: Collection<T>,
    document: T,
  ): Promise<boolean> {
    try {
      await collection.insertOne(document as never);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}

function toAgent({ agent, held, lastAssignedAt }: AgentState): Agent {
  return {
    agentId: agent.agentId,
    tenantId: agent.tenantId,
    role: agent.role,
    displayName: agent.displayName,
    queueIds: agent.queueIds,
    capacity: agent.capacity,
    capacityByKind: agent.capacityByKind,
    presence: agent.presence,
    load: held.length,
    loadByKind: loadByKindOf(held),
    lastAssignedAt,
  };
}
