import { randomUUID } from 'node:crypto';
import { type EnvelopeOf, Topics } from '@ponte/contracts';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { type MessagingLogger, type MessagingOptions, physicalTopic } from '../config/messaging.options';
import type { EnvelopeCodec } from '../contract/envelope.codec';
import { testKafkaBrokers, uniqueName, waitFor } from '@ponte/testing';

export const TEST_TOPIC = Topics.inboundMessage;
export type TestTopic = typeof TEST_TOPIC;

/** The brokers of the test Kafka (KAFKA_BROKERS, set by the jest global setup). */
export function testBrokers(): string[] {
  return testKafkaBrokers().split(',');
}

export { uniqueName };

/** Keeps kafkajs' group chatter out of the test output; errors stay inspectable. */
export function recordingLogger(): MessagingLogger & { readonly errors: string[] } {
  const errors: string[] = [];
  return { errors, log: () => undefined, warn: () => undefined, error: (line: string) => errors.push(line) };
}

/**
 * Stand-in for the contract while tests exercise transport semantics: any JSON object with a string `id` is a
 * valid envelope, anything else breaks the contract.
 */
export const testCodec: EnvelopeCodec = {
  parse: (_topic, bytes) => {
    try {
      const value: unknown = JSON.parse(bytes.toString('utf8'));
      if (typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string') {
        return { ok: true, value: value as never };
      }
    } catch {
      // Falls through to the contract error below.
    }
    return {
      ok: false,
      errors: [{ path: 'id', code: 'invalid_envelope', message: 'not a JSON envelope' }] as never,
    };
  },
  encode: (_topic, envelope) => Buffer.from(JSON.stringify(envelope)),
};

/** Unique topic namespace per test, group timings short enough for rebalances within a test's budget. */
export function testMessagingOptions(
  brokers: readonly string[],
  overrides: Partial<MessagingOptions> = {},
): MessagingOptions {
  return {
    clientId: uniqueName('client'),
    brokers,
    topicPrefix: `${uniqueName('topics')}.`,
    topics: { partitions: 3, replicationFactor: 1 },
    retry: { attempts: 3, initialBackoffMs: 20, maxBackoffMs: 100 },
    group: {
      sessionTimeoutMs: 6_000,
      rebalanceTimeoutMs: 6_000,
      heartbeatIntervalMs: 300,
      fetchMaxWaitMs: 100,
    },
    logger: recordingLogger(),
    logLevel: 'warn',
    codec: testCodec,
    ...overrides,
  };
}

export function buildEnvelope(overrides: Partial<EnvelopeOf<TestTopic>> = {}): EnvelopeOf<TestTopic> {
  // The test codec checks only the envelope's id; the payload is a placeholder typed as the contract's.
  return {
    id: randomUUID(),
    source: 'ponte/test',
    type: TEST_TOPIC,
    time: new Date().toISOString(),
    specversion: '1.0',
    datacontenttype: 'application/json',
    tenantId: 'tenant-test',
    data: { text: 'hello' },
    ...overrides,
  } as unknown as EnvelopeOf<TestTopic>;
}

/** Raw kafkajs access for what the lib must not offer: writing broken bytes and reading DLQs back. */
export class RawKafka {
  private readonly kafka: Kafka;

  constructor(private readonly options: MessagingOptions) {
    this.kafka = new Kafka({
      clientId: uniqueName('raw'),
      brokers: [...options.brokers],
      logLevel: logLevel.NOTHING,
    });
  }

  async produce(topic: string, messages: { key: string; value: Buffer | string }[]): Promise<void> {
    const producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic: physicalTopic(this.options, topic), acks: -1, messages });
    } finally {
      await producer.disconnect();
    }
  }

  /** Reads a topic from the start until `count` records arrived. */
  async read(topic: string, count: number, timeoutMs = 20_000): Promise<KafkaMessage[]> {
    const consumer = this.kafka.consumer({
      groupId: uniqueName('reader'),
      heartbeatInterval: 300,
      maxWaitTimeInMs: 100,
    });
    const records: KafkaMessage[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: physicalTopic(this.options, topic), fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void records.push(message) });
      await waitFor(() => records.length >= count, {
        timeoutMs,
        description: `${count} record(s) on ${topic}`,
      });
      return records;
    } finally {
      await consumer.disconnect();
    }
  }

  async recordCount(topic: string): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(physicalTopic(this.options, topic));
      return offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  async describeTopics(topics: string[]): Promise<{ name: string; partitions: number }[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({
        topics: topics.map((topic) => physicalTopic(this.options, topic)),
      });
      return metadata.topics.map(({ name, partitions }) => ({ name, partitions: partitions.length }));
    } finally {
      await admin.disconnect();
    }
  }
}

export function headerText(record: KafkaMessage | undefined, name: string): string | undefined {
  return record?.headers?.[name]?.toString();
}
