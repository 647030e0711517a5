import type { OnApplicationShutdown } from '@nestjs/common';
import { dlqTopic, type TopicName } from '@ponte/contracts';
import { setTimeout as delay } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import {
  DEFAULT_TOPIC_SETTINGS,
  physicalTopic,
  type MessagingOptions,
  type TopicSettings,
} from '../config/messaging.options';
import { createKafkaClient } from '../kafka/kafka-client.factory';
import { LazyConnection } from '../producer/kafka-producer.factory';

const LEADER_WAIT_MS = 30_000;
const LEADER_POLL_MS = 200;

function isRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}

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
        // Not kafkajs' own wait: it fails on a topic another service created a moment ago that this broker's
        // metadata does not list yet (UNKNOWN_TOPIC_OR_PARTITION), which is exactly the race of a fresh start.
        waitForLeaders: false,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: this.settings.partitions,
          replicationFactor: this.settings.replicationFactor,
        })),
      });
    }
    await this.waitForLeaders(wanted);
    return missing;
  }

  /** Until every partition of the topics has a leader; retriable metadata errors are waited out. */
  private async waitForLeaders(topics: readonly string[]): Promise<void> {
    const deadline = Date.now() + LEADER_WAIT_MS;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const metadata = await this.admin.fetchTopicMetadata({ topics: [...topics] });
        const leaderless = metadata.topics.filter((topic) =>
          topic.partitions.some((partition) => partition.leader < 0),
        );
        if (leaderless.length === 0) return;
        last = `no leader yet for ${leaderless.map((topic) => topic.name).join(', ')}`;
      } catch (error) {
        if (!isRetriable(error)) throw error;
        last = error;
      }
      await delay(LEADER_POLL_MS);
    }
    throw new Error(`Topics not ready after ${LEADER_WAIT_MS} ms: ${String(last)}`);
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
