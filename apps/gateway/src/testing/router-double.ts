import {
  type AgentCommand,
  type ConversationEvent,
  createEnvelope,
  encode,
  type EnvelopeOf,
  messageKey,
  parse,
  Topics,
} from '@ponte/contracts';
import {
  ConsumerRunner,
  type EnvelopeCodec,
  MessageBus,
  MessageHeader,
  type MessagingOptions,
} from '@ponte/messaging';
import { testKafkaBrokers, uniqueName, waitFor } from '@ponte/testing';
import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { COMMAND_DLQ } from '../commands/command-outcomes';
import { stableId } from '../commands/router-ids';
import type {
  AgentRecord,
  ConversationRecord,
  CustomerRecord,
  IdentityRecord,
  MessageRecord,
  QueueRecord,
} from '../conversations/router-read.model';

type CommandEnvelope = EnvelopeOf<typeof Topics.agentCommand>;

/** How the double answers a command: with events (as the router does), a rejection on the DLQ, or not at all. */
export type RouterAnswer =
  { events: ConversationEvent[] } | { rejection: { code: string; message: string } } | undefined;

/**
 * Stands in for the router in the gateway's int-specs: records every agent command on the harness's topics and
 * answers some the way the router would (events whose ids derive from the command id, or a dead letter with the
 * rejection headers). The router's documents are inserted directly, shaped like its schemas.
 */
export class RouterDouble {
  readonly commands: CommandEnvelope[] = [];

  private constructor(
    private readonly recorder: ConsumerRunner<typeof Topics.agentCommand>,
    private readonly bus: MessageBus,
    private readonly deadLetters: MessageBus,
  ) {}

  static async start(
    env: Record<string, string>,
    answer: (command: AgentCommand) => RouterAnswer = () => undefined,
  ): Promise<RouterDouble> {
    const messaging: MessagingOptions = {
      clientId: 'router-double',
      brokers: (env['KAFKA_BROKERS'] ?? testKafkaBrokers()).split(','),
      topicPrefix: env['KAFKA_TOPIC_PREFIX'] ?? '',
      logLevel: 'nothing',
    };
    // The DLQ carries command bytes: encoded as a command, written to the DLQ topic.
    const dlqCodec: EnvelopeCodec = {
      parse,
      encode: (_topic, envelope) => encode(Topics.agentCommand, envelope as CommandEnvelope),
    };
    const bus = new MessageBus(messaging);
    const deadLetters = new MessageBus({ ...messaging, codec: dlqCodec });
    const self: { double?: RouterDouble } = {};
    const recorder = new ConsumerRunner(messaging, {
      groupId: uniqueName('router-double'),
      topics: [Topics.agentCommand],
      fromBeginning: true,
      handleMessage: async ({ envelope }) => {
        self.double?.commands.push(envelope);
        await self.double?.answer(envelope, answer(envelope.data));
      },
    });
    const double = new RouterDouble(recorder, bus, deadLetters);
    self.double = double;
    await recorder.start();
    return double;
  }

  /**
   * Every command published before this call, once the double has seen them: a sentinel command is published last
   * (one partition, so it is read after the others), and the list is returned when it arrives, without the sentinel.
   */
  async commandsSoFar(tenantId: string): Promise<CommandEnvelope[]> {
    const sentinel = `sentinel-${randomUUID()}`;
    const command: AgentCommand = {
      kind: 'set-presence',
      commandId: sentinel,
      agent: { id: 'sentinel', role: 'solver' },
      issuedAt: new Date().toISOString(),
      presence: 'online',
    };
    await this.bus.publish(
      Topics.agentCommand,
      createEnvelope(Topics.agentCommand, command, { source: '/test', tenantId }),
      {
        key: messageKey(Topics.agentCommand, command),
      },
    );
    await waitFor(() => this.commands.some((envelope) => envelope.data.commandId === sentinel) || undefined, {
      timeoutMs: 20_000,
      description: 'the sentinel command at the router double',
    });
    return this.commands.filter((envelope) => !envelope.data.commandId.startsWith('sentinel-'));
  }

  /** Publishes a conversation event as the router would (key: the conversation); returns its envelope id. */
  async publishEvent(tenantId: string, event: ConversationEvent): Promise<string> {
    const envelope = createEnvelope(Topics.conversationEvent, event, { source: '/ponte/router', tenantId });
    await this.bus.publish(Topics.conversationEvent, envelope, { key: event.conversationId });
    return envelope.id;
  }

  async stop(): Promise<void> {
    await this.recorder.stop();
    await this.bus.disconnect();
    await this.deadLetters.disconnect();
  }

  private async answer(envelope: CommandEnvelope, answer: RouterAnswer): Promise<void> {
    if (!answer) return;
    const { commandId } = envelope.data;
    if ('events' in answer) {
      await this.bus.publishBatch(
        answer.events.map((event) => ({
          topic: Topics.conversationEvent,
          key: event.conversationId,
          headers: { [MessageHeader.causeId]: commandId },
          envelope: createEnvelope(Topics.conversationEvent, event, {
            source: '/ponte/router',
            tenantId: envelope.tenantId,
            id: stableId(commandId, 'event', event.kind, event.conversationId),
          }),
        })),
      );
      return;
    }
    await this.deadLetters.publish(COMMAND_DLQ, envelope, {
      key: messageKey(Topics.agentCommand, envelope.data),
      headers: {
        [MessageHeader.error]: `RejectedMessageError: ${answer.rejection.code}: ${answer.rejection.message}`,
        [MessageHeader.errorCode]: 'REJECTED',
      },
    });
  }
}

const AT = new Date('2026-01-05T12:00:00Z');

/** A conversation with the router's fields the gateway does not read, so the documents are whole. */
type StoredConversation = ConversationRecord & {
  openKey: string;
  channelKind: string;
  createdByMessageId: string;
};

/** Router-shaped documents (apps/router schemas), inserted straight into the database the gateway reads. */
export const routerDocuments = {
  queue: (tenantId: string, queueId: string, overrides: Partial<QueueRecord> = {}): QueueRecord => ({
    _id: `${tenantId}|${queueId}`,
    tenantId,
    queueId,
    name: `Queue ${queueId}`,
    kind: 'solver',
    tier: 'n1',
    skills: [],
    order: 0,
    ...overrides,
  }),
  agent: (tenantId: string, agentId: string, overrides: Partial<AgentRecord> = {}): AgentRecord => ({
    _id: `${tenantId}|${agentId}`,
    tenantId,
    agentId,
    role: 'solver',
    displayName: agentId,
    queueIds: [],
    capacity: 5,
    capacityByKind: {},
    presence: 'online',
    ...overrides,
  }),
  customer: (tenantId: string, id: string, overrides: Partial<CustomerRecord> = {}): CustomerRecord => ({
    _id: id,
    tenantId,
    displayName: `Customer ${id}`,
    originChannel: 'sms',
    tags: [],
    mergedInto: null,
    mergeTarget: false,
    mergeId: null,
    createdAt: AT,
    ...overrides,
  }),
  identity: (
    tenantId: string,
    customerId: string,
    channel: IdentityRecord['channel'],
    address: string,
    overrides: Partial<IdentityRecord> = {},
  ): IdentityRecord => ({
    _id: `${tenantId}|${channel}|${address}`,
    tenantId,
    customerId,
    channel,
    address,
    kind: channel === 'email' ? 'email' : 'phone',
    firstSeenAt: AT,
    lastSeenAt: new Date(),
    ...overrides,
  }),
  conversation: (
    tenantId: string,
    id: string,
    overrides: Partial<StoredConversation> = {},
  ): StoredConversation => {
    const createdAt = overrides.createdAt ?? AT;
    return {
      _id: id,
      tenantId,
      customerId: 'customer-1',
      openKey: overrides.customerId ?? 'customer-1',
      status: 'open',
      channel: 'sms',
      channelKind: 'messaging',
      queueId: 'billing',
      routingReason: 'default queue',
      tier: 'n1',
      priority: 'normal',
      priorityRank: 1,
      assigneeId: null,
      waitingSince: createdAt,
      createdByMessageId: `${id}-m1`,
      firstResponseDueAt: new Date(Date.now() + 3_600_000),
      resolutionDueAt: new Date(Date.now() + 86_400_000),
      slaBreaches: [],
      resolvedAt: null,
      reopenCount: 0,
      transferCount: 0,
      createdAt,
      ...overrides,
    };
  },
  message: (
    tenantId: string,
    conversation: { _id: string; customerId: string },
    id: string,
    overrides: Partial<MessageRecord> = {},
  ): MessageRecord => ({
    _id: id,
    tenantId,
    conversationId: conversation._id,
    customerId: conversation.customerId,
    direction: 'incoming',
    channel: 'sms',
    channelAccountId: '+5511999990000',
    externalId: `SM${id}`,
    content: { text: `message ${id}` },
    createdAt: AT,
    ...overrides,
  }),
};

/** Inserts documents into one of the router's collections of the harness database. */
export async function insertRouterDocuments(db: Db, collection: string, documents: object[]): Promise<void> {
  if (documents.length > 0) await db.collection(collection).insertMany(documents as never[]);
}
