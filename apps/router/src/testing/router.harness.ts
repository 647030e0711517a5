import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  type AgentCommandKind,
  type AgentCommandOf,
  buildAgentCommand,
  buildDeliveryStatus,
  buildInboundMessage,
  type DeliveryStatus,
  type ConversationEvent,
  createEnvelope,
  type EnvelopeOf,
  type InboundMessage,
  isOutboundTopic,
  type OutboundMessage,
  messageKey,
  type TopicName,
  Topics,
} from '@ponte/contracts';
import {
  ConsumerRunner,
  type DeadLetter,
  DeadLetterReader,
  MessageHeader,
  MessageBus,
  type MessagingOptions,
} from '@ponte/messaging';
import { createServiceApp, loadConfig } from '@ponte/platform';
import { testKafkaBrokers, testMongoUrl, uniqueName, waitFor } from '@ponte/testing';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { type Db, MongoClient } from 'mongodb';
import { RouterConfig } from '../config/router.config';
import { routerService } from '../router.definition';

export const TEST_SEED_FILE = resolve(__dirname, 'fixtures/test.seed.json');
export const TENANT = 'tenant-test';

export interface RouterHarnessOptions {
  seedFile?: string;
  env?: Record<string, string>;
}

/**
 * The real router (its Nest app, its Kafka consumer) on private topics (a unique prefix) and a private database,
 * plus what a test needs around it: a producer for inbound messages and a recorder of the conversation events.
 */
export class RouterHarness {
  readonly events: EnvelopeOf<typeof Topics.conversationEvent>[] = [];
  /** Envelope id of each recorded event → its `x-ponte-cause-id` header. */
  readonly causes = new Map<string, string | undefined>();
  /** What the router asked the channel adapters to send. */
  readonly outbound: OutboundMessage[] = [];

  private constructor(
    readonly env: Record<string, string>,
    readonly db: Db,
    private readonly mongo: MongoClient,
    readonly bus: MessageBus,
    private readonly messaging: MessagingOptions,
    private readonly recorder: ConsumerRunner<TopicName>,
    private app: NestFastifyApplication | undefined,
  ) {}

  static async start(options: RouterHarnessOptions = {}): Promise<RouterHarness> {
    const prefix = `${uniqueName('router')}.`;
    const brokers = testKafkaBrokers();
    const mongoUrl = testMongoUrl(uniqueName('router'));
    const env: Record<string, string> = {
      KAFKA_BROKERS: brokers,
      MONGO_URL: mongoUrl,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_TOPIC_PARTITIONS: '3',
      ROUTER_SEED_FILE: options.seedFile ?? TEST_SEED_FILE,
      ROUTER_SEED_TENANT: TENANT,
      LOG_LEVEL: 'warn',
      PORT: '0',
      ...options.env,
    };
    const messaging: MessagingOptions = {
      clientId: 'router-test',
      brokers: brokers.split(','),
      topicPrefix: prefix,
      logLevel: 'nothing',
    };
    const mongo = await new MongoClient(mongoUrl).connect();
    const app = await RouterHarness.boot(env);
    const harness = new RouterHarness(
      env,
      mongo.db(),
      mongo,
      new MessageBus(messaging),
      messaging,
      new ConsumerRunner<TopicName>(messaging, {
        groupId: uniqueName('recorder'),
        topics: [Topics.conversationEvent, ...Object.values(Topics.outbound)],
        handleMessage: async (message) => {
          if (message.topic === Topics.conversationEvent) {
            harness.events.push(message.envelope);
            harness.causes.set(message.envelope.id, message.headers[MessageHeader.causeId]);
          } else if (isOutboundTopic(message.topic))
            harness.outbound.push(message.envelope.data as OutboundMessage);
        },
      }),
      app,
    );
    await harness.recorder.start();
    return harness;
  }

  private static boot(env: Record<string, string>): Promise<NestFastifyApplication> {
    return createServiceApp(routerService, loadConfig(RouterConfig, env, 'router'));
  }

  /**
   * Publishes an inbound message (defaults from the contract's builder) and returns its envelope. `key` overrides
   * the contract's key, to put a record on the partition of another sender.
   */
  async inbound(
    overrides: Partial<InboundMessage> = {},
    key?: string,
  ): Promise<EnvelopeOf<typeof Topics.inboundMessage>> {
    const data = buildInboundMessage({
      externalId: `ext-${randomUUID()}`,
      receivedAt: new Date().toISOString(),
      ...overrides,
    });
    const envelope = createEnvelope(Topics.inboundMessage, data, { source: '/ponte/test', tenantId: TENANT });
    await this.bus.publish(Topics.inboundMessage, envelope, {
      key: key ?? messageKey(Topics.inboundMessage, data),
    });
    return envelope;
  }

  /** Publishes an agent command (a valid one of the kind, from the contract's builder, with the overrides). */
  async command<K extends AgentCommandKind>(
    kind: K,
    overrides: Partial<AgentCommandOf<K>>,
  ): Promise<EnvelopeOf<typeof Topics.agentCommand>> {
    const data = buildAgentCommand(kind, { issuedAt: new Date().toISOString(), ...overrides });
    const envelope = createEnvelope(Topics.agentCommand, data, { source: '/ponte/test', tenantId: TENANT });
    await this.bus.publish(Topics.agentCommand, envelope, { key: messageKey(Topics.agentCommand, data) });
    return envelope;
  }

  /** Publishes a provider delivery report for an outgoing message. */
  async status(overrides: Partial<DeliveryStatus> & { messageId: string }): Promise<void> {
    const data = buildDeliveryStatus({ channel: 'sms', occurredAt: new Date().toISOString(), ...overrides });
    const envelope = createEnvelope(Topics.deliveryStatus, data, { source: '/ponte/test', tenantId: TENANT });
    await this.bus.publish(Topics.deliveryStatus, envelope, { key: messageKey(Topics.deliveryStatus, data) });
  }

  deadLetters(count: number, topic: TopicName = Topics.inboundMessage): Promise<DeadLetter[]> {
    return new DeadLetterReader(this.messaging).read(topic, count);
  }

  /** Waits for the first conversation event matching the predicate. */
  event<K extends ConversationEvent['kind']>(
    kind: K,
    matches: (event: Extract<ConversationEvent, { kind: K }>) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<Extract<ConversationEvent, { kind: K }>> {
    return waitFor(
      () =>
        this.events
          .map((envelope) => envelope.data)
          .find(
            (event): event is Extract<ConversationEvent, { kind: K }> =>
              event.kind === kind && matches(event as never),
          ),
      { timeoutMs, description: `a ${kind} event` },
    );
  }

  /** The first conversation created (matching the predicate) once it is assigned, with its agent as a solver. */
  async assignedConversation(
    matches: (event: Extract<ConversationEvent, { kind: 'created' }>) => boolean = () => true,
  ): Promise<{ conversationId: string; agent: { id: string; role: 'solver' } }> {
    const created = await this.event('created', matches);
    const assigned = await this.event('assigned', (event) => event.conversationId === created.conversationId);
    return { conversationId: created.conversationId, agent: { id: assigned.agentId, role: 'solver' } };
  }

  async republish(envelope: EnvelopeOf<typeof Topics.inboundMessage>): Promise<void> {
    await this.bus.publish(Topics.inboundMessage, envelope, {
      key: messageKey(Topics.inboundMessage, envelope.data),
    });
  }

  collection<T extends object = Record<string, unknown>>(name: string) {
    return this.db.collection<T>(name);
  }

  waitForMessages(count: number, timeoutMs = 30_000): Promise<number> {
    return waitFor(
      async () => {
        const stored = await this.db.collection('messages').countDocuments({});
        return stored >= count ? stored : undefined;
      },
      { timeoutMs, description: `${count} stored messages` },
    );
  }

  eventsOf(conversationId: string): ConversationEvent[] {
    return this.events
      .filter((event) => event.data.conversationId === conversationId)
      .map((event) => event.data);
  }

  /** A provider of the running router (to drive a periodic job by hand, for instance). */
  get<T>(type: new (...args: never[]) => T): T {
    if (!this.app) throw new Error('the router is not running');
    return this.app.get(type);
  }

  async restart(): Promise<void> {
    await this.app?.close();
    this.app = await RouterHarness.boot(this.env);
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
    await this.recorder.stop();
    await this.bus.disconnect();
    await this.db.dropDatabase();
    await this.mongo.close();
  }
}
