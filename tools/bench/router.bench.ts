// Router benchmark: N synthetic inbound messages from M customers over WhatsApp, SMS and e-mail, through the real
// Kafka, the real router (in this process) and the real FerretDB/MongoDB. Measures end-to-end throughput (publish
// start → last message.appended event), inbound→appended and inbound→assigned latency, next to the raw bulk-insert
// rate of the same message documents into the same store, measured in the same run (the baseline), and the ratio.
// Usage: npm run bench:router -- [--messages 10000] [--customers 1000] [--partitions 3] [--timeout-s 300] [--floor]
// (--floor also measures a pipeline that only consumes, inserts each message and produces one event per message:
// what is left of the router without identity, threading and assignment.)
// (ROUTER_MAX_BATCH_SIZE in the environment overrides the router's batch size.)
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildInboundMessage,
  type Channel,
  type ConversationEvent,
  createEnvelope,
  encode,
  type InboundMessage,
  messageKey,
  parse,
  Topics,
} from '@ponte/contracts';
import { startLocalInfra } from '@ponte/local-infra';
import { MessageBus, type MessagingOptions, type PublishRecord } from '@ponte/messaging';
import { createServiceApp, loadConfig } from '@ponte/platform';
import { getConnectionToken } from '@nestjs/mongoose';
// eslint-disable-next-line no-restricted-imports -- the recorder is a bare consumer on purpose (see runRouter).
import { Kafka, logLevel } from 'kafkajs';
import { type CommandStartedEvent, type CommandSucceededEvent, MongoClient } from 'mongodb';
import type { Connection } from 'mongoose';
import { RouterConfig } from '../../apps/router/src/config/router.config';
import { routerService } from '../../apps/router/src/router.definition';
import { argument, percentile } from './bench-args';

const TENANT = 'bench';
const PUBLISH_CHUNK = 500;
const BASELINE_CHUNK = 100;
const CHANNELS: readonly Channel[] = ['whatsapp', 'sms', 'email'];

/** Customer c writes from one phone on WhatsApp and SMS (one customer) and, every third message, by e-mail. */
function message(index: number, customers: number, receivedAt: string): InboundMessage {
  const customer = index % customers;
  const channel = CHANNELS[Math.floor(index / customers) % CHANNELS.length] ?? 'sms';
  const phone = `55119${String(70_000_000 + customer).padStart(8, '0')}`;
  const from =
    channel === 'whatsapp'
      ? `${phone}@c.us`
      : channel === 'sms'
        ? `+${phone}`
        : `cliente.${customer}@example.com`;
  return buildInboundMessage({
    channel,
    channelAccountId: `${channel}-account`,
    externalId: `bench-${index}-${randomUUID()}`,
    from: { address: from, displayName: `Cliente ${customer}` },
    content: {
      text: `Olá, preciso de ajuda com o pedido ${index}`,
      ...(channel === 'email' ? { subject: 'Pedido' } : {}),
    },
    receivedAt,
  });
}

function seed(customers: number): unknown {
  const agents = 10;
  return {
    queues: [{ queueId: 'n1', name: 'N1', kind: 'solver', tier: 'n1', skills: [] }],
    agents: Array.from({ length: agents }, (_, index) => ({
      agentId: `agent-${index}`,
      displayName: `Agent ${index}`,
      role: 'solver',
      queueIds: ['n1'],
      // Room for every conversation (WhatsApp/SMS and e-mail customers): the bench measures routing, not waiting.
      capacity: Math.ceil((customers * 2) / agents) + 10,
      presence: 'online',
    })),
    routing: { defaultQueueId: 'n1', rules: [] },
  };
}

async function runRouter(
  brokers: string,
  mongoUrl: string,
  messages: number,
  customers: number,
  partitions: number,
  timeoutMs: number,
) {
  const workDir = await mkdtemp(join(tmpdir(), 'ponte-bench-router-'));
  const seedFile = join(workDir, 'seed.json');
  await writeFile(seedFile, JSON.stringify(seed(customers)));
  const prefix = `bench-${randomUUID().slice(0, 8)}.`;
  const database = `bench_router_${randomUUID().slice(0, 8)}`;
  const url = new URL(mongoUrl);
  url.pathname = `/${database}`;
  if (process.env['BENCH_PROFILE']) url.searchParams.set('monitorCommands', 'true');
  const env = {
    KAFKA_BROKERS: brokers,
    MONGO_URL: url.toString(),
    KAFKA_TOPIC_PREFIX: prefix,
    ROUTER_SEED_FILE: seedFile,
    ROUTER_SEED_TENANT: TENANT,
    LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn',
    PORT: '0',
    KAFKA_TOPIC_PARTITIONS: String(partitions),
    ROUTER_PARTITIONS_IN_PARALLEL: String(partitions),
    ...(process.env['ROUTER_MAX_BATCH_SIZE']
      ? { ROUTER_MAX_BATCH_SIZE: process.env['ROUTER_MAX_BATCH_SIZE'] }
      : {}),
  };
  const app = await createServiceApp(routerService, loadConfig(RouterConfig, env, 'router'));
  const profile = process.env['BENCH_PROFILE']
    ? profileStore(app.get<Connection>(getConnectionToken()))
    : undefined;
  const messaging: MessagingOptions = {
    clientId: 'bench-router',
    brokers: brokers.split(','),
    topicPrefix: prefix,
    logLevel: 'warn',
  };
  const sentAt = new Map<string, number>();
  const conversationStart = new Map<string, number>();
  const appendedLatency: number[] = [];
  const assignedSeenAt = new Map<string, number>();
  let lastAt = 0;
  // The recorder is the measuring tape, not the subject: a bare kafkajs consumer that only parses JSON, so that it
  // takes as little as it can of the two cores (validating every event against the contract, as a Ponte consumer
  // does, cost the router ~10% of its throughput in this process).
  const kafka = new Kafka({
    clientId: 'bench-recorder',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const recorder = kafka.consumer({ groupId: `bench-recorder-${randomUUID()}` });
  await recorder.connect();
  await recorder.subscribe({ topic: `${prefix}${Topics.conversationEvent}`, fromBeginning: true });
  await recorder.run({
    partitionsConsumedConcurrently: partitions,
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const record of batch.messages) {
        const event = (JSON.parse(String(record.value)) as { data: ConversationEvent }).data;
        if (event.kind === 'created')
          conversationStart.set(event.conversationId, Date.parse(event.occurredAt));
        // Seen time first, latency at the end: the recorder reads the partitions side by side, so an `assigned` may
        // be read before the `created` of its conversation.
        if (event.kind === 'assigned' && !assignedSeenAt.has(event.conversationId))
          assignedSeenAt.set(event.conversationId, now);
        if (event.kind === 'message.appended' && event.message.externalId) {
          const sent = sentAt.get(event.message.externalId);
          if (sent !== undefined && sentAt.delete(event.message.externalId)) {
            appendedLatency.push(now - sent);
            lastAt = performance.now();
          }
        }
      }
    },
  });
  // The adapters run in processes of their own, so encoding (validating) what they publish is not the router's
  // work: every envelope is built and encoded before the clock starts, and the clocked bus sends those bytes.
  const documents: InboundMessage[] = [];
  const chunks: PublishRecord<typeof Topics.inboundMessage>[][] = [];
  const encoded = new Map<string, Buffer>();
  for (let sent = 0; sent < messages; sent += PUBLISH_CHUNK) {
    const receivedAt = new Date().toISOString();
    chunks.push(
      Array.from({ length: Math.min(PUBLISH_CHUNK, messages - sent) }, (_, offset) => {
        const data = message(sent + offset, customers, receivedAt);
        documents.push(data);
        const envelope = createEnvelope(Topics.inboundMessage, data, {
          source: '/ponte/bench',
          tenantId: TENANT,
        });
        encoded.set(envelope.id, encode(Topics.inboundMessage, envelope));
        return { topic: Topics.inboundMessage, key: messageKey(Topics.inboundMessage, data), envelope };
      }),
    );
  }
  const bus = new MessageBus({
    ...messaging,
    codec: { parse, encode: (topic, envelope) => encoded.get(envelope.id) ?? encode(topic, envelope) },
  });
  await bus.connect();
  try {
    const startedAt = performance.now();
    for (const chunk of chunks) {
      const now = Date.now();
      for (const { envelope } of chunk) sentAt.set(envelope.data.externalId, now);
      await bus.publishBatch(chunk);
    }
    const deadline = Date.now() + timeoutMs;
    let reportedAt = Date.now();
    while (appendedLatency.length < messages) {
      if (Date.now() - reportedAt > 10_000) {
        reportedAt = Date.now();
        console.error(`bench: ${appendedLatency.length}/${messages} messages through the router`);
      }
      if (Date.now() > deadline)
        throw new Error(`router: only ${appendedLatency.length}/${messages} appended in time`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // What the store says, to tell an unassigned conversation from an `assigned` event the recorder missed.
    const store = await new MongoClient(url.toString()).connect();
    const waiting = await store
      .db()
      .collection('conversations')
      .countDocuments({ status: 'open', assigneeId: null })
      .finally(() => store.close());
    const appended = [...appendedLatency].sort((a, b) => a - b);
    const assigned = [...assignedSeenAt]
      .map(([conversationId, seenAt]) => seenAt - (conversationStart.get(conversationId) ?? Number.NaN))
      .filter((latency) => Number.isFinite(latency))
      .sort((a, b) => a - b);
    return {
      perSecond: Math.round(messages / ((lastAt - startedAt) / 1000)),
      p50: percentile(appended, 0.5),
      p99: percentile(appended, 0.99),
      assignedP50: percentile(assigned, 0.5),
      assignedP99: percentile(assigned, 0.99),
      conversations: conversationStart.size,
      assignedCount: assigned.length,
      waiting,
      documents,
      database,
    };
  } finally {
    profile?.print();
    await bus.disconnect();
    await recorder.disconnect();
    await app.close();
    const mongo = await new MongoClient(url.toString()).connect();
    await mongo.db().dropDatabase();
    await mongo.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * BENCH_PROFILE=1: the router's store commands grouped by command, collection and filter shape, with count and
 * total time, so a slow path names itself (FerretDB's SQLite backend only pushes a lone `_id` filter down).
 */
function profileStore(connection: Connection) {
  const started = new Map<number, { shape: string; at: number }>();
  const totals = new Map<string, { count: number; ms: number }>();
  const client = connection.getClient();
  client.on('commandStarted', (event: CommandStartedEvent) => {
    const command = event.command as Record<string, unknown>;
    const filter =
      (command['filter'] as object | undefined) ??
      ((command['updates'] ?? command['deletes']) as { q?: object }[] | undefined)?.[0]?.q;
    const shape = `${event.commandName} ${String(command[event.commandName])} ${JSON.stringify(
      Object.keys(filter ?? {}),
    )}`;
    started.set(event.requestId, { shape, at: performance.now() });
  });
  client.on('commandSucceeded', (event: CommandSucceededEvent) => {
    const start = started.get(event.requestId);
    if (!start) return;
    started.delete(event.requestId);
    const total = totals.get(start.shape) ?? { count: 0, ms: 0 };
    total.count += 1;
    total.ms += performance.now() - start.at;
    totals.set(start.shape, total);
  });
  return {
    print: () =>
      console.table(
        [...totals]
          .sort((a, b) => b[1].ms - a[1].ms)
          .slice(0, 25)
          .map(([shape, { count, ms }]) => ({ shape, count, total_ms: Math.round(ms) })),
      ),
  };
}

/** A fresh database of the same store with a `messages` collection indexed as the router's; dropped by `drop`. */
async function scratchMessages(mongoUrl: string, name: string) {
  const url = new URL(mongoUrl);
  url.pathname = `/${name}_${randomUUID().slice(0, 8)}`;
  const mongo = await new MongoClient(url.toString()).connect();
  const collection = mongo.db().collection('messages');
  await collection.createIndex(
    { tenantId: 1, channel: 1, channelAccountId: 1, externalId: 1 },
    { unique: true },
  );
  return {
    collection,
    drop: async () => {
      await mongo.db().dropDatabase();
      await mongo.close();
    },
  };
}

/** A message document as the baseline and the floor store it. */
function storedMessage(document: InboundMessage) {
  return {
    _id: randomUUID() as never,
    tenantId: TENANT,
    ...document,
    createdAt: new Date(document.receivedAt),
  };
}

/** The same message documents bulk-inserted into a fresh collection of the same store, BASELINE_CHUNK at a time. */
async function runBaseline(mongoUrl: string, documents: readonly InboundMessage[]) {
  const { collection, drop } = await scratchMessages(mongoUrl, 'bench_baseline');
  try {
    const startedAt = performance.now();
    for (let start = 0; start < documents.length; start += BASELINE_CHUNK) {
      await collection.insertMany(documents.slice(start, start + BASELINE_CHUNK).map(storedMessage), {
        ordered: false,
      });
    }
    return Math.round(documents.length / ((performance.now() - startedAt) / 1000));
  } finally {
    await drop();
  }
}

/**
 * `--floor`: the least any router must do with the same documents on the same Kafka and store, as a bare pipeline
 * (kafkajs and the driver, no contract validation): consume a batch (ROUTER_MAX_BATCH_SIZE at a time), insert its
 * messages, produce one event per message with `acks=all`, commit. No identity, threading or assignment.
 */
async function runFloor(
  brokers: string,
  mongoUrl: string,
  documents: readonly InboundMessage[],
  partitions: number,
) {
  const batchSize = Number(process.env['ROUTER_MAX_BATCH_SIZE'] ?? new RouterConfig().ROUTER_MAX_BATCH_SIZE);
  const prefix = `bench-floor-${randomUUID().slice(0, 8)}.`;
  const kafka = new Kafka({
    clientId: 'bench-floor',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [`${prefix}in`, `${prefix}events`].map((topic) => ({ topic, numPartitions: partitions })),
  });
  const { collection, drop } = await scratchMessages(mongoUrl, 'bench_floor');
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `${prefix}router` });
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}in`, fromBeginning: true });
    let handled = 0;
    let lastAt = 0;
    await consumer.run({
      partitionsConsumedConcurrently: partitions,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        for (let start = 0; start < batch.messages.length; start += batchSize) {
          const records = batch.messages.slice(start, start + batchSize);
          const inbound = records.map(
            (record) => (JSON.parse(String(record.value)) as { data: InboundMessage }).data,
          );
          await collection.insertMany(inbound.map(storedMessage), { ordered: false });
          await producer.send({
            topic: `${prefix}events`,
            acks: -1,
            messages: inbound.map((data) => ({
              key: data.from.address,
              value: JSON.stringify({ kind: 'message.appended', message: data }),
            })),
          });
          resolveOffset(records[records.length - 1]?.offset ?? batch.firstOffset() ?? '0');
          await heartbeat();
          handled += records.length;
          lastAt = performance.now();
        }
      },
    });
    const values = documents.map((data) => ({
      key: `${data.channel}:${data.from.address}`,
      value: JSON.stringify({ data }),
    }));
    const startedAt = performance.now();
    for (let start = 0; start < values.length; start += PUBLISH_CHUNK)
      await producer.send({
        topic: `${prefix}in`,
        acks: -1,
        messages: values.slice(start, start + PUBLISH_CHUNK),
      });
    while (handled < documents.length) await new Promise((resolve) => setTimeout(resolve, 20));
    return Math.round(documents.length / ((lastAt - startedAt) / 1000));
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [`${prefix}in`, `${prefix}events`] }).catch(() => undefined);
    await admin.disconnect();
    await drop();
  }
}

async function main(): Promise<void> {
  const messages = argument('messages', 10_000);
  const customers = argument('customers', 1_000);
  const timeoutMs = argument('timeout-s', 300) * 1000;
  const partitions = argument('partitions', 3);
  const infra = await startLocalInfra({ progress: (line) => console.error(`bench: ${line}`) });
  try {
    const brokers = infra.kafkaBrokers ?? '';
    const mongoUrl = infra.mongoUrl ?? '';
    const router = await runRouter(brokers, mongoUrl, messages, customers, partitions, timeoutMs);
    const baseline = await runBaseline(mongoUrl, router.documents);
    const ratio = Math.round((router.perSecond / baseline) * 1000) / 1000;
    const floor = process.argv.includes('--floor')
      ? await runFloor(brokers, mongoUrl, router.documents, partitions)
      : undefined;
    console.log(
      `\nrouter bench: ${messages} messages, ${customers} customers over WhatsApp/SMS/e-mail, ` +
        `${router.conversations} conversations (${router.assignedCount} assigned events seen, ` +
        `${router.waiting} left waiting in the store), ${partitions} partitions\n`,
    );
    console.table({
      'router end to end (msg/s)': router.perSecond,
      'inbound→appended p50 ms': router.p50,
      'inbound→appended p99 ms': router.p99,
      'inbound→assigned p50 ms': router.assignedP50,
      'inbound→assigned p99 ms': router.assignedP99,
      [`baseline: raw insertMany of the same documents, ${BASELINE_CHUNK} per call (docs/s)`]: baseline,
      ratio,
      ...(floor === undefined
        ? {}
        : {
            'floor: consume, insert, produce one event, no routing (msg/s)': floor,
            'floor ratio': Math.round((floor / baseline) * 1000) / 1000,
          }),
    });
    console.log(
      JSON.stringify({
        bench: 'router',
        messages,
        customers,
        per_s: router.perSecond,
        p50_ms: router.p50,
        p99_ms: router.p99,
        assigned_p50_ms: router.assignedP50,
        assigned_p99_ms: router.assignedP99,
        baseline_per_s: baseline,
        ratio,
        ...(floor === undefined ? {} : { floor_per_s: floor }),
      }),
    );
  } finally {
    await infra.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
