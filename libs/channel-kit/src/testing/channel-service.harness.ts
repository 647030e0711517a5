import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createEnvelope,
  type DeliveryStatus,
  type EnvelopeOf,
  type InboundMessage,
  messageKey,
  type OutboundMessage,
  type OutboundTopicName,
  type TopicName,
  Topics,
} from '@ponte/contracts';
import { ConsumerRunner, MessageBus, type MessagingOptions } from '@ponte/messaging';
import { testKafkaBrokers, testMongoUrl, uniqueName, waitFor } from '@ponte/testing';
import { type Db, MongoClient } from 'mongodb';

/** Private Kafka topics and a private database for one channel service under test. */
export interface ChannelTestEnvironment {
  mongoUrl: string;
  /** The service's shared settings (Kafka, MongoDB, logging, a free port); the test adds the channel's own. */
  env: Record<string, string>;
  /** How the test itself reaches the same topics. */
  messaging: MessagingOptions;
}

export interface ChannelTestEnvironmentOptions {
  /**
   * Partitions of the private topics. One keeps everything in order, so "nothing else was published" can be checked
   * with a later sentinel; by default the service's own default applies.
   */
  partitions?: number;
}

/** `service` names the topic prefix, the database and the Kafka client id (`<service>-test`). */
export function channelTestEnvironment(
  service: string,
  options: ChannelTestEnvironmentOptions = {},
): ChannelTestEnvironment {
  const prefix = `${uniqueName(service)}.`;
  const brokers = testKafkaBrokers();
  const mongoUrl = testMongoUrl(uniqueName(service));
  const partitions = options.partitions;
  return {
    mongoUrl,
    env: {
      KAFKA_BROKERS: brokers,
      MONGO_URL: mongoUrl,
      KAFKA_TOPIC_PREFIX: prefix,
      ...(partitions === undefined ? {} : { KAFKA_TOPIC_PARTITIONS: String(partitions) }),
      LOG_LEVEL: 'warn',
      PORT: '0',
    },
    messaging: {
      clientId: `${service}-test`,
      brokers: brokers.split(','),
      topicPrefix: prefix,
      ...(partitions === undefined ? {} : { topics: { partitions } }),
      logLevel: 'nothing',
    },
  };
}

/** What a started channel service comes with: its app, its database and a recorder of what it published. */
export interface ChannelServiceParts {
  inbound: EnvelopeOf<typeof Topics.inboundMessage>[];
  statuses: EnvelopeOf<typeof Topics.deliveryStatus>[];
  db: Db;
  mongo: MongoClient;
  bus: MessageBus;
  recorder: ConsumerRunner<TopicName>;
  app: NestFastifyApplication;
  url: string;
}

/**
 * Boots the service (`boot` creates its Nest app from the environment's settings plus the channel's own), connects to
 * its database and starts recording the inbound messages and delivery statuses it publishes.
 */
export async function startChannelService(
  environment: ChannelTestEnvironment,
  boot: () => Promise<NestFastifyApplication>,
): Promise<ChannelServiceParts> {
  const mongo = await new MongoClient(environment.mongoUrl).connect();
  const app = await boot();
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const inbound: EnvelopeOf<typeof Topics.inboundMessage>[] = [];
  const statuses: EnvelopeOf<typeof Topics.deliveryStatus>[] = [];
  const recorder = new ConsumerRunner<TopicName>(environment.messaging, {
    groupId: uniqueName('recorder'),
    topics: [Topics.inboundMessage, Topics.deliveryStatus],
    handleMessage: async (message) => {
      if (message.topic === Topics.inboundMessage) inbound.push(message.envelope);
      else if (message.topic === Topics.deliveryStatus) statuses.push(message.envelope);
    },
  });
  await recorder.start();
  return {
    inbound,
    statuses,
    db: mongo.db(),
    mongo,
    bus: new MessageBus(environment.messaging),
    recorder,
    app,
    url,
  };
}

/**
 * The real channel service (its Nest app, its Kafka consumer) on private topics and a private database, and what it
 * published. A service's harness extends it with its provider's fake and its webhooks.
 */
export abstract class ChannelServiceHarness {
  readonly inbound: EnvelopeOf<typeof Topics.inboundMessage>[];
  readonly statuses: EnvelopeOf<typeof Topics.deliveryStatus>[];
  readonly db: Db;
  readonly app: NestFastifyApplication;
  readonly url: string;
  private readonly mongo: MongoClient;
  private readonly bus: MessageBus;
  private readonly recorder: ConsumerRunner<TopicName>;

  protected constructor(parts: ChannelServiceParts) {
    this.inbound = parts.inbound;
    this.statuses = parts.statuses;
    this.db = parts.db;
    this.app = parts.app;
    this.url = parts.url;
    this.mongo = parts.mongo;
    this.bus = parts.bus;
    this.recorder = parts.recorder;
  }

  /** Publishes an outbound message on `topic` as the router does. */
  protected async publishAsRouter(
    topic: OutboundTopicName,
    data: OutboundMessage,
    tenantId: string,
  ): Promise<void> {
    const envelope = createEnvelope(topic, data, { source: '/ponte/router', tenantId });
    await this.bus.publish(topic, envelope, { key: messageKey(topic, data) });
  }

  inboundMessage(externalId: string, timeoutMs = 30_000): Promise<InboundMessage> {
    return waitFor(() => this.inbound.find((envelope) => envelope.data.externalId === externalId)?.data, {
      timeoutMs,
      description: `inbound message ${externalId} on Kafka`,
    });
  }

  inboundCopies(externalId: string): number {
    return this.inbound.filter((envelope) => envelope.data.externalId === externalId).length;
  }

  status(messageId: string, state?: DeliveryStatus['state'], timeoutMs = 30_000): Promise<DeliveryStatus> {
    return waitFor(
      () =>
        this.statuses
          .map((envelope) => envelope.data)
          .find(
            (status) => status.messageId === messageId && (state === undefined || status.state === state),
          ),
      { timeoutMs, description: `a ${state ?? 'delivery'} status of ${messageId}` },
    );
  }

  statesOf(messageId: string): DeliveryStatus['state'][] {
    return this.statuses
      .filter((envelope) => envelope.data.messageId === messageId)
      .map((envelope) => envelope.data.state);
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.recorder.stop();
    await this.bus.disconnect();
    await this.stopFakes();
    await this.db.dropDatabase();
    await this.mongo.close();
  }

  /** Stops the servers that play the provider. */
  protected abstract stopFakes(): Promise<void>;
}
