import {
  type AgentCommandOf,
  buildAgentCommand,
  type Channel,
  createEnvelope,
  messageKey,
  Topics,
} from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Db, type Filter, MongoClient } from 'mongodb';
import { type ServiceGroup, TENANT } from './service-group';

/** The agent of the seed: a solver of the only queue, online, with room for every test's conversations. */
export const AGENT = { id: 'ana', displayName: 'Ana', role: 'solver' } as const;

/** A timeline entry as the router stores it (`messages`), the fields these tests read. */
export interface StoredMessage {
  _id: string;
  tenantId: string;
  conversationId: string;
  customerId: string;
  direction: 'incoming' | 'outgoing' | 'note' | 'activity';
  channel: string;
  channelAccountId: string;
  externalId: string;
  identityId?: string;
  content: { text?: string; subject?: string };
  emailMessageId?: string;
  deliveryState?: string;
  providerMessageId?: string;
  /** Why an outgoing message failed, as the channel service reported it. */
  providerError?: { code: string; message: string };
  /** The customer's latest edit or deletion, and the earlier contents (TimelineStore.revise). */
  revision?: 'edited' | 'deleted';
  revisions?: Array<{ kind: string; previousContent: { text?: string } }>;
  threadReason?: string;
  sentAt?: Date;
  createdAt: Date;
}

export interface StoredConversation {
  _id: string;
  tenantId: string;
  customerId: string;
  status: 'open' | 'resolved';
  channel: string;
}

export interface StoredIdentity {
  _id: string;
  customerId: string;
  channel: string;
  address: string;
}

export interface StoredCustomer {
  _id: string;
  mergedInto: string | null;
}

/**
 * The real router as a process (`apps/router/src/main.ts`) in a service group, seeded from a file written here,
 * plus what a test needs around it: its database read directly, and agent commands published on
 * `ponte.agent.command.v1` as the gateway would.
 */
export class RouterE2e {
  private constructor(
    private readonly group: ServiceGroup,
    readonly db: Db,
    private readonly mongo: MongoClient,
    private readonly bus: MessageBus,
    private readonly seedDirectory: string,
  ) {}

  /** `channelAccounts`: the accounts replies go out from when a conversation has no message on that channel. */
  static async start(
    group: ServiceGroup,
    channelAccounts: Partial<Record<Channel, string>>,
  ): Promise<RouterE2e> {
    const seedDirectory = await mkdtemp(join(tmpdir(), 'ponte-e2e-router-'));
    const seedFile = join(seedDirectory, 'queues.seed.json');
    await writeFile(seedFile, JSON.stringify(seed(channelAccounts), null, 2));
    const mongoUrl = group.databaseUrl('router');
    const mongo = new MongoClient(mongoUrl);
    const router = new RouterE2e(group, mongo.db(), mongo, new MessageBus(group.messaging), seedDirectory);
    try {
      await mongo.connect();
      await group.start('router', {
        MONGO_URL: mongoUrl,
        ROUTER_SEED_FILE: seedFile,
        ROUTER_SEED_TENANT: TENANT,
      });
    } catch (error) {
      // The caller never gets the router to stop: close what was opened (the group stops the process).
      await router.stop();
      throw error;
    }
    return router;
  }

  messages(filter: Filter<StoredMessage> = {}): Promise<StoredMessage[]> {
    return this.db
      .collection<StoredMessage>('messages')
      .find({ tenantId: TENANT, ...filter })
      .toArray();
  }

  /** A conversation's timeline in the order the router lists it (TimelineStore.list: createdAt, then _id). */
  timeline(conversationId: string): Promise<StoredMessage[]> {
    return this.db
      .collection<StoredMessage>('messages')
      .find({ tenantId: TENANT, conversationId })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
  }

  conversations(filter: Filter<StoredConversation> = {}): Promise<StoredConversation[]> {
    return this.db
      .collection<StoredConversation>('conversations')
      .find({ tenantId: TENANT, ...filter })
      .toArray();
  }

  identities(filter: Filter<StoredIdentity> = {}): Promise<StoredIdentity[]> {
    return this.db
      .collection<StoredIdentity>('identities')
      .find({ tenantId: TENANT, ...filter })
      .toArray();
  }

  customers(): Promise<StoredCustomer[]> {
    return this.db.collection<StoredCustomer>('customers').find({ tenantId: TENANT }).toArray();
  }

  /** Waits for the incoming message a channel service published for this provider id, stored in the timeline. */
  incoming(channel: Channel, externalId: string, timeoutMs?: number): Promise<StoredMessage> {
    return this.group.waitFor(
      async () => (await this.messages({ channel, externalId, direction: 'incoming' }))[0],
      { description: `the ${channel} message ${externalId} in the router's timeline`, timeoutMs },
    );
  }

  /** Publishes an agent's reply, as the gateway does; returns the command. */
  async reply(
    conversationId: string,
    text: string,
    choice: { channel?: Channel; identityId?: string } = {},
  ): Promise<AgentCommandOf<'reply'>> {
    const command = buildAgentCommand('reply', {
      commandId: `e2e-${randomUUID()}`,
      conversationId,
      agent: { ...AGENT },
      issuedAt: new Date().toISOString(),
      content: { text },
      ...choice,
    });
    const envelope = createEnvelope(Topics.agentCommand, command, { source: '/ponte/e2e', tenantId: TENANT });
    await this.bus.publish(Topics.agentCommand, envelope, { key: messageKey(Topics.agentCommand, command) });
    return command;
  }

  /** Waits for the outgoing timeline entry the reply created (its id is the router's, derived from the command). */
  outgoing(conversationId: string, text: string, timeoutMs?: number): Promise<StoredMessage> {
    return this.group.waitFor(
      async () =>
        (await this.messages({ conversationId, direction: 'outgoing' })).find(
          (message) => message.content.text === text,
        ),
      { description: `the agent's reply "${text}" in the router's timeline`, timeoutMs },
    );
  }

  async stop(): Promise<void> {
    await this.bus.disconnect().catch(() => undefined);
    await this.mongo.close().catch(() => undefined);
    await rm(this.seedDirectory, { recursive: true, force: true });
  }
}

function seed(channelAccounts: Partial<Record<Channel, string>>): Record<string, unknown> {
  return {
    queues: [
      { queueId: 'n1-solvers', name: 'Atendimento N1', kind: 'solver', tier: 'n1', skills: ['geral'] },
    ],
    agents: [
      {
        agentId: AGENT.id,
        displayName: AGENT.displayName,
        role: 'solver',
        queueIds: ['n1-solvers'],
        capacity: 20,
        presence: 'online',
      },
    ],
    routing: { defaultQueueId: 'n1-solvers', rules: [] },
    channelAccounts,
  };
}
