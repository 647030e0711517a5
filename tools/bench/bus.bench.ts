// Bus benchmark: N envelopes through MessageBus + ConsumerRunner, then the same through bare kafkajs (acks=-1,
// eachBatch) as the baseline. Prints a table, then one JSON line (the last line) for scripts.
// Usage: npm run bench:bus -- [--messages 20000] [--timeout-s 120]
import { randomUUID } from 'node:crypto';
import type { EnvelopeOf, TopicName } from '@ponte/contracts';
import { startLocalInfra } from '@ponte/local-infra';
import { ConsumerRunner, type EnvelopeCodec, MessageBus, type MessagingOptions } from '@ponte/messaging';
// eslint-disable-next-line no-restricted-imports -- the baseline is bare kafkajs by definition.
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { argument, percentile } from './bench-args';

const TOPIC = 'ponte.inbound.message.v1' as TopicName;
const CHUNK = 500;
const PARTITIONS = 3;

interface BenchEnvelope {
  id: string;
  tenantId: string;
  data: { sentAt: number; text: string };
}

interface RunResult {
  perSecond: number;
  p50: number;
  p99: number;
}

/**
 * The same JSON work as the baseline, so the ratio measures the bus (headers, per-record offsets, heartbeats,
 * retry bookkeeping) rather than the contract's validation, whose cost belongs to the contract's own bench.
 */
const jsonCodec: EnvelopeCodec = {
  parse: (_topic, bytes) => ({ ok: true, value: JSON.parse(bytes.toString('utf8')) as never }),
  encode: (_topic, envelope) => Buffer.from(JSON.stringify(envelope)),
};

function envelope(sentAt: number): BenchEnvelope {
  return {
    id: randomUUID(),
    tenantId: 'bench',
    data: { sentAt, text: 'Olá, preciso de ajuda com meu pedido 4711' },
  };
}

class Measurement {
  private readonly latencies: number[] = [];
  private startedAt = 0;
  private lastAt = 0;

  constructor(readonly expected: number) {}

  start(): void {
    this.startedAt = performance.now();
  }

  record(sentAt: number): void {
    this.lastAt = performance.now();
    this.latencies.push(Date.now() - sentAt);
  }

  get count(): number {
    return this.latencies.length;
  }

  async finished(timeoutMs: number, label: string): Promise<RunResult> {
    const deadline = Date.now() + timeoutMs;
    while (this.count < this.expected) {
      if (Date.now() > deadline)
        throw new Error(`${label}: only ${this.count}/${this.expected} consumed in time`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      perSecond: Math.round(this.expected / ((this.lastAt - this.startedAt) / 1000)),
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
    };
  }
}

async function runBus(brokers: string[], messages: number, timeoutMs: number): Promise<RunResult> {
  const quiet = { log: () => undefined, warn: console.warn, error: console.error };
  const options: MessagingOptions = {
    clientId: 'bench-bus',
    brokers,
    topicPrefix: `bench-${randomUUID().slice(0, 8)}.`,
    topics: { partitions: PARTITIONS, replicationFactor: 1 },
    group: { fetchMaxWaitMs: 100 },
    logger: quiet,
    logLevel: 'warn',
    codec: jsonCodec,
  };
  const measurement = new Measurement(messages);
  const bus = new MessageBus(options);
  const runner = new ConsumerRunner(options, {
    groupId: `bench-bus-${randomUUID()}`,
    topics: [TOPIC],
    partitionsConsumedConcurrently: PARTITIONS,
    handleMessage: async ({ envelope }) =>
      measurement.record((envelope as unknown as BenchEnvelope).data.sentAt),
  });
  await runner.start();
  await bus.connect();
  try {
    measurement.start();
    for (let sent = 0; sent < messages; sent += CHUNK) {
      const now = Date.now();
      const batch = Array.from({ length: Math.min(CHUNK, messages - sent) }, (_, index) => ({
        topic: TOPIC,
        envelope: envelope(now) as unknown as EnvelopeOf<TopicName>,
        key: `customer-${(sent + index) % 97}`,
      }));
      await bus.publishBatch(batch as never);
    }
    return await measurement.finished(timeoutMs, 'bus');
  } finally {
    await runner.stop();
    await bus.disconnect();
    await deleteTopics(brokers, options.topicPrefix ?? '');
  }
}

async function runBaseline(brokers: string[], messages: number, timeoutMs: number): Promise<RunResult> {
  const kafka = new Kafka({ clientId: 'bench-baseline', brokers, logLevel: logLevel.WARN });
  const topic = `bench-${randomUUID().slice(0, 8)}.${TOPIC}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }] });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `bench-baseline-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const measurement = new Measurement(messages);
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        const parsed = JSON.parse(message.value?.toString('utf8') ?? '{}') as BenchEnvelope;
        measurement.record(parsed.data.sentAt);
      }
    },
  });
  try {
    measurement.start();
    for (let sent = 0; sent < messages; sent += CHUNK) {
      const now = Date.now();
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: Math.min(CHUNK, messages - sent) }, (_, index) => ({
          key: `customer-${(sent + index) % 97}`,
          value: JSON.stringify(envelope(now)),
        })),
      });
    }
    return await measurement.finished(timeoutMs, 'baseline');
  } finally {
    await Promise.all([consumer.disconnect(), producer.disconnect()]);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

async function deleteTopics(brokers: string[], prefix: string): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-cleanup', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((name) => name.startsWith(prefix));
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

async function brokersFromEnvironment(): Promise<{ brokers: string[]; stop: () => Promise<void> }> {
  const configured = process.env['KAFKA_BROKERS'];
  if (configured) return { brokers: configured.split(','), stop: async () => undefined };
  const infra = await startLocalInfra({ kafka: true, mongo: false });
  if (!infra.kafkaBrokers) throw new Error('local infrastructure started without Kafka');
  return { brokers: infra.kafkaBrokers.split(','), stop: () => infra.stop() };
}

async function main(): Promise<void> {
  const messages = argument('messages', 20_000);
  const timeoutMs = argument('timeout-s', 120) * 1000;
  const infra = await brokersFromEnvironment();
  try {
    const bus = await runBus(infra.brokers, messages, timeoutMs);
    const baseline = await runBaseline(infra.brokers, messages, timeoutMs);
    const rows = [
      ['', 'msg/s', 'p50 ms', 'p99 ms'],
      ['@ponte/messaging', bus.perSecond, bus.p50, bus.p99],
      ['kafkajs baseline', baseline.perSecond, baseline.p50, baseline.p99],
    ];
    console.log(
      `\nbus bench: ${messages} messages, ${PARTITIONS} partitions, acks=all, batches of ${CHUNK}\n`,
    );
    for (const row of rows)
      console.log(row.map((cell, index) => String(cell).padStart(index ? 10 : 18)).join(''));
    console.log(
      JSON.stringify({
        bench: 'bus',
        messages,
        per_s: bus.perSecond,
        p50_ms: bus.p50,
        p99_ms: bus.p99,
        baseline_per_s: baseline.perSecond,
        baseline_p50_ms: baseline.p50,
        baseline_p99_ms: baseline.p99,
        ratio: Number((bus.perSecond / baseline.perSecond).toFixed(3)),
      }),
    );
  } finally {
    await infra.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
