import type { OnApplicationShutdown } from '@nestjs/common';
import { dlqTopic, type TopicName } from '@ponte/contracts';
import type { Admin } from 'kafkajs';
import {
  DEFAULT_TOPIC_SETTINGS,
  physicalTopic,
  type MessagingOptions,
  type TopicSettings,
} from '../config/messaging.options';
import { createKafkaClient } from '../kafka/kafka-client.factory';
import { LazyConnection } from '../producer/kafka-producer.factory';

/**
 * Creates the topics a service needs, and their DLQs, at start-up. Producers never auto-create topics, so a
 * topic always gets the configured partitions and replication instead of the broker's defaults by accident.
 */
export class TopicProvisioner implements OnApplicationShutdown {
  private readonly admin: Admin;
  private readonly connection: LazyConnection;
  private readonly settings: TopicSettings;

  constructor(private readonly options: MessagingOptions) {
    this.admin = createKafkaClient(options).admin();
    this.connection = new LazyConnection(() => this.admin.connect());
    this.settings = { ...DEFAULT_TOPIC_SETTINGS, ...options.topics };
  }

  /** Idempotent; another instance creating the same topic at the same moment is not an error. */
  async ensureTopics(topics: readonly TopicName[]): Promise<string[]> {
    const wanted = [...new Set(topics.flatMap((topic) => [topic, dlqTopic(topic)]))].map((topic) =>
      physicalTopic(this.options, topic),
    );
    await this.connection.ensure();
    const existing = new Set(await this.admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      // kafkajs answers false instead of throwing when every failure is TOPIC_ALREADY_EXISTS (a lost race).
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: this.settings.partitions,
          replicationFactor: this.settings.replicationFactor,
        })),
      });
    }
    return missing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.disconnect();
  }

  async disconnect(): Promise<void> {
    if (!this.connection.opened) return;
    this.connection.reset();
    await this.admin.disconnect();
  }
}
