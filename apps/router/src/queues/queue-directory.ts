import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Channel, SupportTier } from '@ponte/contracts';
import { findById } from '@ponte/persistence';
import type { Collection, Connection } from 'mongoose';
import { AgentRoster } from './agent-roster';
import {
  type AgentSeedEntry,
  parseQueueSeed,
  type QueueSeed,
  type QueueSeedEntry,
  type RoutingSeed,
} from './queue-seed';
import {
  type Agent,
  type Queue,
  type QueueDocument,
  QUEUE_SETTINGS_COLLECTION,
  QUEUES_COLLECTION,
  scopedId,
  toQueue,
} from './queue.model';

interface QueueSettingsDocument {
  /** The tenant id. */
  _id: string;
  tenantId: string;
  routing: RoutingSeed;
  channelAccounts: Partial<Record<Channel, string>>;
  updatedAt: Date;
}

/** Queues added one by one (not from a seed) come after the seeded ones of their tier. */
const UNORDERED = 1_000_000;

/**
 * The queues, agents and routing settings of each tenant: read by the pipeline, the commands and the assignment;
 * written by the seed and by configuration commands. Reads go to the database every time, so several router
 * instances never disagree on a cached copy.
 */
@Injectable()
export class QueueDirectory implements OnModuleInit {
  private readonly queues: Collection<QueueDocument>;
  private readonly settings: Collection<QueueSettingsDocument>;

  constructor(
    @InjectConnection() connection: Connection,
    private readonly roster: AgentRoster,
  ) {
    this.queues = connection.collection<QueueDocument>(QUEUES_COLLECTION);
    this.settings = connection.collection<QueueSettingsDocument>(QUEUE_SETTINGS_COLLECTION);
  }

  async onModuleInit(): Promise<void> {
    await this.queues.createIndex({ tenantId: 1, tier: 1, order: 1 }, { name: 'queues_of_tier' });
  }

  async getQueue(tenantId: string, queueId: string): Promise<Queue | null> {
    const document = await findById<QueueDocument>(this.queues, scopedId(tenantId, queueId), { tenantId });
    return document && toQueue(document);
  }

  async queuesOf(tenantId: string): Promise<Queue[]> {
    const documents = await this.queues.find({ tenantId }).sort({ order: 1, queueId: 1 }).toArray();
    return documents.map(toQueue);
  }

  /** The tenant's queues of a tier, in the seed's order. */
  async queuesOfTier(tenantId: string, tier: SupportTier): Promise<Queue[]> {
    const documents = await this.queues.find({ tenantId, tier }).sort({ order: 1, queueId: 1 }).toArray();
    return documents.map(toQueue);
  }

  /**
   * Where a conversation goes when only its tier is known (an escalation to N2 without a queue): the routing's
   * default queue when it has that tier, otherwise the tier's first queue in the seed.
   */
  async defaultQueueFor(tenantId: string, tier: SupportTier): Promise<Queue | null> {
    const routing = await this.routingOf(tenantId);
    const preferred = routing && (await this.getQueue(tenantId, routing.defaultQueueId));
    if (preferred?.tier === tier) return preferred;
    return (await this.queuesOfTier(tenantId, tier))[0] ?? null;
  }

  agent(tenantId: string, agentId: string): Promise<Agent | null> {
    return this.roster.agent(tenantId, agentId);
  }

  agentsOfQueue(tenantId: string, queueId: string): Promise<Agent[]> {
    return this.roster.ofQueue(tenantId, queueId);
  }

  /** The routing rules and default queue of the tenant; null before its seed was applied. */
  async routingOf(tenantId: string): Promise<RoutingSeed | null> {
    const settings = await findById<QueueSettingsDocument>(this.settings, tenantId, { tenantId });
    return settings?.routing ?? null;
  }

  /** The account a reply on this channel goes out from when the conversation has none of its own yet. */
  async channelAccountFor(tenantId: string, channel: Channel): Promise<string | undefined> {
    const settings = await findById<QueueSettingsDocument>(this.settings, tenantId, { tenantId });
    return settings?.channelAccounts[channel];
  }

  /**
   * The tenant's configuration as a seed states it: queues in their order, the agents' settings (not their live
   * state), routing and reply accounts. Null before anything was configured.
   */
  async configurationOf(tenantId: string): Promise<QueueSeed | null> {
    const settings = await findById<QueueSettingsDocument>(this.settings, tenantId, { tenantId });
    if (!settings) return null;
    const queues = await this.queuesOf(tenantId);
    const agents = await this.roster.configured(tenantId);
    return {
      queues: queues.map(({ queueId, name, kind, tier, skills }) => ({ queueId, name, kind, tier, skills })),
      agents: agents.map(({ agentId, displayName, role, queueIds, capacity, capacityByKind }) => ({
        agentId,
        displayName,
        role,
        queueIds,
        capacity,
        ...(Object.keys(capacityByKind ?? {}).length > 0 ? { capacityByKind } : {}),
      })),
      routing: settings.routing,
      channelAccounts: settings.channelAccounts,
    };
  }

  /**
   * Applies a seed: queues, agents and routing are created or updated (never deleted), and the live state of agents
   * (presence, load, held conversations) is kept. Idempotent; a seed that does not validate changes nothing.
   * Raising capacity does not assign by itself: AssignmentService.applySeed drains the queues afterwards.
   */
  async applySeed(tenantId: string, seed: QueueSeed, at: Date = new Date()): Promise<void> {
    const checked = parseQueueSeed(seed);
    for (const [order, queue] of checked.queues.entries()) await this.upsertQueue(tenantId, queue, order);
    for (const agent of checked.agents) await this.upsertAgent(tenantId, agent, at);
    await this.settings.updateOne(
      { _id: tenantId },
      {
        $set: {
          tenantId,
          routing: checked.routing,
          channelAccounts: checked.channelAccounts ?? {},
          updatedAt: new Date(),
        },
      },
      { upsert: true },
    );
  }

  /** Creates or updates one queue (a configuration command); its position in the tier is kept unless given. */
  async upsertQueue(tenantId: string, queue: QueueSeedEntry, order?: number): Promise<void> {
    await this.queues.updateOne(
      { _id: scopedId(tenantId, queue.queueId) },
      {
        $set: {
          tenantId,
          queueId: queue.queueId,
          name: queue.name,
          kind: queue.kind,
          tier: queue.tier,
          skills: [...queue.skills],
          ...(order === undefined ? {} : { order }),
          updatedAt: new Date(),
        },
        ...(order === undefined ? { $setOnInsert: { order: UNORDERED } } : {}),
      },
      { upsert: true },
    );
  }

  /** Creates or updates one agent (a configuration command), keeping its presence and load. */
  upsertAgent(tenantId: string, agent: AgentSeedEntry, at: Date): Promise<void> {
    return this.roster.upsert(tenantId, agent, at);
  }
}
