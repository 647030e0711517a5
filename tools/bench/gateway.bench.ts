// Gateway benchmark: the real router and the real gateway in this process, on the real Kafka and FerretDB. Seeds a
// queue of N open conversations, one of them with a T-message timeline, the real way (inbound messages on
// ponte.inbound.message.v1, threaded and stored by the router), then measures over loopback keep-alive HTTP at a fixed
// concurrency, as the seeded admin:
//   A. listing the queue: GET /api/v1/conversations?queueId=…&status=open&limit=…
//   B. fetching the long timeline: GET /api/v1/conversations/:id?limit=200 and its `cursor` pages (the API's largest
//      page is 200 messages, so one full timeline is several requests: they are cycled, each page timed on its own)
// next to a bare NestJS + Fastify app answering the very same JSON bodies on the same paths (the baseline), same load,
// same run. Then C: web-chat visitors (POST /api/v1/webchat/sessions, socket.io at /api/v1/webchat/live) send
// messages at a steady rate, timed from the visitor's emit to the admin's agent socket (/api/v1/live) receiving the
// router's `message.appended` event for it. Human-readable lines, then one JSON line (the last line) for scripts.
// Usage: npm run bench:gateway -- [--conversations 2000] [--timeline 500] [--list-limit 50] [--concurrency 16]
//   [--measure-s 20] [--warmup 200] [--visitors 20] [--rate 20] [--steady-s 30] [--timeout-s 600]
// (--measure-s bounds each HTTP measure and its baseline; --timeout-s everything after Kafka and FerretDB are up.)
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Controller, type DynamicModule, Get, Inject, Module, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  buildInboundMessage,
  createEnvelope,
  type InboundMessage,
  messageKey,
  Topics,
} from '@ponte/contracts';
import { startLocalInfra } from '@ponte/local-infra';
import { MessageBus, type MessagingOptions } from '@ponte/messaging';
import { createServiceApp, loadConfig } from '@ponte/platform';
import { io, type Socket } from 'socket.io-client';
import type {
  ConversationDetailView,
  ConversationListView,
} from '../../apps/gateway/src/conversations/conversation.dto';
import { RouterCollections } from '../../apps/gateway/src/conversations/router-read.model';
import { RouterReadModel } from '../../apps/gateway/src/conversations/router-read.repository';
import {
  type Ack,
  type ConversationEventView,
  LIVE_UPDATES_PATH,
  ServerEvents,
} from '../../apps/gateway/src/live-updates/live-updates.dto';
import { GatewayHarness, type GatewayResponse, TENANT } from '../../apps/gateway/src/testing/gateway.harness';
import {
  type SendMessageBody,
  type SentMessageView,
  VisitorClientMessages,
  type VisitorSessionView,
  WEBCHAT_LIVE_PATH,
} from '../../apps/gateway/src/webchat/webchat.dto';
import { RouterConfig } from '../../apps/router/src/config/router.config';
import { routerService } from '../../apps/router/src/router.definition';
import { argument, hardStopAfter, percentile } from './bench-args';
import { describeMeasured, type LoadRequest, type Measured, measureLoad } from './http-load';

const API = '/api/v1';
const QUEUE = 'bench-n1';
const AGENTS = 10;
const SMS_ACCOUNT = '+5511999990000';
/** The API's largest page (PageQuery: `@Max(200)`), for the timeline and the list alike. */
const MAX_PAGE = 200;
const PUBLISH_CHUNK = 500;
const PARTITIONS = 3;
// Web chat (docs/webchat.md).
const WEBCHAT_SESSIONS_PATH = `${API}/webchat/sessions`;
const WEBCHAT_INBOX = 'website';
/** The page the bench's visitors come from: the inbox allows it, and every session request and handshake sends it. */
const WEBCHAT_ORIGIN = 'http://bench.localhost';
const ACK_TIMEOUT_MS = 10_000;
/** Sequential reads per store timing. */
const STORE_READS = 10;
/** How long the events of the last steady messages may take to reach the agent after the last is sent. */
const DRAIN_MS = 30_000;

interface Options {
  conversations: number;
  timeline: number;
  listLimit: number;
  concurrency: number;
  measureMs: number;
  warmup: number;
  visitors: number;
  rate: number;
  steadyMs: number;
  deadline: number;
}

/** A queue, and agents with room for every conversation (assignment happens; nobody waits). */
function routerSeed(conversations: number): unknown {
  return {
    queues: [{ queueId: QUEUE, name: 'Bench N1', kind: 'solver', tier: 'n1', skills: [] }],
    agents: Array.from({ length: AGENTS }, (_, index) => ({
      agentId: `bench-agent-${index}`,
      displayName: `Bench Agent ${index}`,
      role: 'solver',
      queueIds: [QUEUE],
      capacity: Math.ceil(conversations / AGENTS) + 50,
      presence: 'online',
    })),
    routing: { defaultQueueId: QUEUE, rules: [] },
  };
}

/**
 * The seed's inbound SMS: customer 0 writes `timeline` messages (the long conversation), customers 1…N-1 one each;
 * one customer, one open conversation. `receivedAt` ascends, so the timeline has one order.
 */
function seedMessages(runId: string, conversations: number, timeline: number): InboundMessage[] {
  const base = Date.now() - (timeline + conversations) * 1_000;
  const senders = [
    ...Array.from({ length: timeline }, () => 0),
    ...Array.from({ length: conversations - 1 }, (_, index) => index + 1),
  ];
  return senders.map((customer, index) =>
    buildInboundMessage({
      channel: 'sms',
      channelAccountId: SMS_ACCOUNT,
      externalId: `bench-${runId}-${index}`,
      from: {
        address: `+55219${String(80_000_000 + customer).padStart(8, '0')}`,
        displayName: `Cliente ${customer}`,
      },
      to: [{ address: SMS_ACCOUNT }],
      content: {
        text: `Mensagem ${index} do cliente ${customer}: o pedido ainda não chegou, podem verificar?`,
      },
      receivedAt: new Date(base + index * 1_000).toISOString(),
    }),
  );
}

/** Publishes the seed as a channel service would and waits until the router stored every message. */
async function seed(
  gateway: GatewayHarness,
  messaging: MessagingOptions,
  runId: string,
  options: Options,
): Promise<{ seconds: number; longConversationId: string }> {
  const messages = seedMessages(runId, options.conversations, options.timeline);
  const stored = gateway.db.collection(RouterCollections.messages);
  const bus = new MessageBus(messaging);
  await bus.connect();
  const startedAt = performance.now();
  try {
    for (let start = 0; start < messages.length; start += PUBLISH_CHUNK) {
      await bus.publishBatch(
        messages.slice(start, start + PUBLISH_CHUNK).map((data) => ({
          topic: Topics.inboundMessage,
          key: messageKey(Topics.inboundMessage, data),
          envelope: createEnvelope(Topics.inboundMessage, data, { source: '/ponte/bench', tenantId: TENANT }),
        })),
      );
    }
  } finally {
    await bus.disconnect();
  }
  let count = 0;
  let reportedAt = Date.now();
  while (
    (count = await stored.countDocuments({ tenantId: TENANT, direction: 'incoming' })) < messages.length
  ) {
    if (Date.now() > options.deadline)
      throw new Error(`seed: only ${count}/${messages.length} messages stored in time`);
    if (Date.now() - reportedAt > 10_000) {
      reportedAt = Date.now();
      console.error(`bench: seed: ${count}/${messages.length} messages stored by the router`);
    }
    await delay(500);
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const first = await stored.findOne<{ conversationId: string }>({
    tenantId: TENANT,
    externalId: messages[0]?.externalId,
  });
  if (!first) throw new Error('seed: the first message of the long conversation is not stored');
  return { seconds, longConversationId: first.conversationId };
}

/** GET requests of one path each, `count` of them cycling over `paths`, with the admin's bearer token. */
function gets(paths: readonly string[], token: string, count: number): LoadRequest[] {
  const prepared = paths.map((path) => ({
    method: 'GET' as const,
    path,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  }));
  return Array.from({ length: count }, (_, index) => prepared[index % prepared.length] as LoadRequest);
}

interface Bodies {
  list: unknown;
  /** Timeline pages by the `cursor` they answer ('' for the first). */
  pages: ReadonlyMap<string, unknown>;
}

const BODIES = Symbol('bodies');

@Controller('api/v1/conversations')
class BareConversationsController {
  constructor(@Inject(BODIES) private readonly bodies: Bodies) {}

  @Get()
  list(): unknown {
    return this.bodies.list;
  }

  @Get(':id')
  page(@Query('cursor') cursor?: string): unknown {
    return this.bodies.pages.get(cursor ?? '');
  }
}

@Module({})
class BareConversationsModule {
  static register(bodies: Bodies): DynamicModule {
    return {
      module: BareConversationsModule,
      controllers: [BareConversationsController],
      providers: [{ provide: BODIES, useValue: bodies }],
    };
  }
}

interface HttpMeasures {
  list: Measured;
  timeline: Measured;
}

/** The same measures against a bare NestJS + Fastify app answering the gateway's own bodies on the same paths. */
async function runBaseline(
  bodies: Bodies,
  requests: { list: LoadRequest[]; timeline: LoadRequest[]; warmup: LoadRequest[][] },
  options: Options,
): Promise<HttpMeasures> {
  const app = await NestFactory.create<NestFastifyApplication>(
    BareConversationsModule.register(bodies),
    new FastifyAdapter({ bodyLimit: 262_144 }),
    { logger: ['error', 'warn'] },
  );
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    return await measureHttp(await app.getUrl(), requests, options);
  } finally {
    await app.close();
  }
}

async function measureHttp(
  url: string,
  requests: { list: LoadRequest[]; timeline: LoadRequest[]; warmup: LoadRequest[][] },
  options: Options,
): Promise<HttpMeasures> {
  const load = {
    url,
    concurrency: options.concurrency,
    deadline: options.deadline,
    durationMs: options.measureMs,
  };
  const list = await measureLoad(load, requests.warmup[0] ?? [], requests.list);
  const timeline = await measureLoad(load, requests.warmup[1] ?? [], requests.timeline);
  return { list, timeline };
}

/** One page of a conversation's timeline, the largest the API gives; '' for the first. */
function timelinePath(conversationId: string, cursor: string): string {
  return `${API}/conversations/${conversationId}?limit=${MAX_PAGE}${cursor ? `&cursor=${cursor}` : ''}`;
}

/** Reads the first list page and walks the long timeline page by page: the paths to load and the bodies they answer. */
async function readTargets(gateway: GatewayHarness, token: string, conversationId: string, options: Options) {
  const listPath = `${API}/conversations?queueId=${QUEUE}&status=open&limit=${options.listLimit}`;
  const list = await gateway.request<ConversationListView>('GET', listPath, { token });
  if (list.status !== 200)
    throw new Error(`the queue list answered ${list.status}: ${JSON.stringify(list.body)}`);
  const pagePaths: string[] = [];
  const pages = new Map<string, unknown>();
  let cursor: string | undefined = '';
  let messages = 0;
  let pageBytes = 0;
  while (cursor !== undefined) {
    const path = timelinePath(conversationId, cursor);
    const page: GatewayResponse<ConversationDetailView> = await gateway.request('GET', path, { token });
    if (page.status !== 200)
      throw new Error(`a timeline page answered ${page.status}: ${JSON.stringify(page.body)}`);
    pagePaths.push(path);
    pages.set(cursor, page.body);
    messages += page.body.timeline.messages.length;
    pageBytes = Math.max(pageBytes, JSON.stringify(page.body).length);
    cursor = page.body.timeline.next;
  }
  return {
    listPath,
    listBody: list.body,
    listed: list.body.conversations.length,
    listBytes: JSON.stringify(list.body).length,
    pagePaths,
    pages,
    messages,
    pageBytes,
  };
}

/**
 * The two routes' store reads without HTTP, auth or views: the gateway's own read model, one call at a time, an admin's
 * filter (tenant, queue, status) and the first timeline page. Tells the store's share of a request's time.
 */
async function timeStoreReads(gateway: GatewayHarness, conversationId: string, options: Options) {
  const readModel = gateway.app.get(RouterReadModel);
  const time = async (read: () => Promise<unknown>): Promise<number> => {
    const latencies: number[] = [];
    for (let index = 0; index < STORE_READS; index += 1) {
      const startedAt = performance.now();
      await read();
      latencies.push(performance.now() - startedAt);
    }
    return (
      Math.round(
        percentile(
          latencies.sort((a, b) => a - b),
          0.5,
        ) * 10,
      ) / 10
    );
  };
  return {
    listP50: await time(() =>
      readModel.listConversations(
        { $and: [{ tenantId: TENANT }, { queueId: QUEUE }, { status: 'open' }] },
        options.listLimit + 1,
      ),
    ),
    timelineP50: await time(() => readModel.timeline(TENANT, [conversationId], undefined, MAX_PAGE + 1)),
  };
}

/** A connected socket.io client (WebSocket transport, no reconnection), or the handshake's refusal. */
async function connectSocket(
  url: string,
  path: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<Socket> {
  const socket = io(url, {
    path,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: { token },
    extraHeaders: headers,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
  } catch (error) {
    socket.disconnect();
    throw error;
  }
  return socket;
}

interface WebchatResult {
  sent: number;
  received: number;
  lost: number;
  /** Achieved send rate of the steady phase. */
  perSecond: number;
  p50: number;
  p99: number;
  ackP50: number;
  ackP99: number;
  ackErrors: Map<string, number>;
}

/**
 * Visitors open sessions and sockets, each sends one message (new conversations, not timed), then messages go out at
 * `rate` per second, round-robin over the visitors, without waiting for acknowledgements (an open loop); each is timed
 * from its emit to the admin's agent socket receiving the router's `message.appended` event carrying its text.
 * Undefined when the gateway has no web chat (the session route answers 404).
 */
async function runWebchat(
  gateway: GatewayHarness,
  adminToken: string,
  runId: string,
  options: Options,
): Promise<WebchatResult | undefined> {
  const probe = await gateway.request('POST', WEBCHAT_SESSIONS_PATH, {
    body: { inboxId: WEBCHAT_INBOX },
    headers: { origin: WEBCHAT_ORIGIN },
  });
  if (probe.status === 404) return undefined;
  const pending = new Map<string, number>();
  let latencies: number[] = [];
  const sockets: Socket[] = [];
  try {
    const agent = await connectSocket(gateway.url, LIVE_UPDATES_PATH, adminToken);
    sockets.push(agent);
    agent.on(ServerEvents.conversationEvent, (view: ConversationEventView) => {
      const event = view.data;
      if (event.kind !== 'message.appended' || event.message.direction !== 'incoming') return;
      const sentAt = pending.get(event.message.content.text ?? '');
      if (sentAt === undefined) return;
      pending.delete(event.message.content.text ?? '');
      latencies.push(performance.now() - sentAt);
    });
    const visitors: Socket[] = [];
    for (let index = 0; index < options.visitors; index += 1) {
      const session = await gateway.request<VisitorSessionView>('POST', WEBCHAT_SESSIONS_PATH, {
        body: { inboxId: WEBCHAT_INBOX, name: `Visitante ${index}` },
        headers: { origin: WEBCHAT_ORIGIN },
      });
      if (session.status !== 201) {
        throw new Error(`a web-chat session answered ${session.status}: ${JSON.stringify(session.body)}`);
      }
      const socket = await connectSocket(gateway.url, WEBCHAT_LIVE_PATH, session.body.token, {
        origin: WEBCHAT_ORIGIN,
      });
      sockets.push(socket);
      visitors.push(socket);
    }
    const ackLatencies: number[] = [];
    const ackErrors = new Map<string, number>();
    const send = async (visitor: Socket, text: string): Promise<void> => {
      const at = performance.now();
      pending.set(text, at);
      try {
        const message: SendMessageBody = { clientMessageId: randomUUID(), text };
        const ack = (await visitor
          .timeout(ACK_TIMEOUT_MS)
          .emitWithAck(VisitorClientMessages.message, message)) as Ack<SentMessageView>;
        if (ack.ok) ackLatencies.push(performance.now() - at);
        else {
          const kind = `refused: ${ack.error.code ?? ack.error.status}`;
          ackErrors.set(kind, (ackErrors.get(kind) ?? 0) + 1);
        }
      } catch {
        ackErrors.set('no acknowledgement', (ackErrors.get('no acknowledgement') ?? 0) + 1);
      }
    };
    const drained = async (until: number): Promise<void> => {
      while (pending.size > 0 && Date.now() < Math.min(until, options.deadline)) await delay(20);
    };

    // Warm-up: every visitor's first message opens its conversation.
    await Promise.all(visitors.map((visitor, index) => send(visitor, `bench ${runId} hello ${index}`)));
    await drained(Date.now() + DRAIN_MS);
    if (pending.size > 0)
      throw new Error(`web chat: ${pending.size} warm-up messages never reached the agent`);
    latencies = [];
    ackLatencies.length = 0;
    ackErrors.clear();

    const total = Math.max(1, Math.round((options.rate * options.steadyMs) / 1000));
    const interval = 1000 / options.rate;
    const acks: Promise<void>[] = [];
    const startedAt = performance.now();
    let sent = 0;
    for (; sent < total && Date.now() < options.deadline; sent += 1) {
      const wait = startedAt + sent * interval - performance.now();
      if (wait > 0) await delay(wait);
      acks.push(send(visitors[sent % visitors.length] as Socket, `bench ${runId} message ${sent}`));
    }
    const sendingMs = performance.now() - startedAt;
    await Promise.all(acks);
    await drained(Date.now() + DRAIN_MS);
    const sorted = latencies.sort((a, b) => a - b);
    ackLatencies.sort((a, b) => a - b);
    const round = (value: number): number => Math.round(value * 10) / 10;
    return {
      sent,
      received: sorted.length,
      lost: pending.size,
      perSecond: round(sent / (sendingMs / 1000)),
      p50: round(percentile(sorted, 0.5)),
      p99: round(percentile(sorted, 0.99)),
      ackP50: round(percentile(ackLatencies, 0.5)),
      ackP99: round(percentile(ackLatencies, 0.99)),
      ackErrors,
    };
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
}

async function run(brokers: string, mongoUrl: string, options: Options) {
  const runId = randomBytes(4).toString('hex');
  const workDir = await mkdtemp(join(tmpdir(), 'ponte-bench-gateway-'));
  const seedFile = join(workDir, 'seed.json');
  await writeFile(seedFile, JSON.stringify(routerSeed(options.conversations)));
  const prefix = `bench-${runId}.`;
  const url = new URL(mongoUrl);
  url.pathname = `/bench_gateway_${runId}`;
  const shared = {
    KAFKA_BROKERS: brokers,
    MONGO_URL: url.toString(),
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
    LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    NODE_ENV: 'production',
  };
  const router = await createServiceApp(
    routerService,
    loadConfig(
      RouterConfig,
      {
        ...shared,
        ROUTER_SEED_FILE: seedFile,
        ROUTER_SEED_TENANT: TENANT,
        ROUTER_PARTITIONS_IN_PARALLEL: String(PARTITIONS),
      },
      'router',
    ),
  );
  let gateway: GatewayHarness | undefined;
  try {
    // The harness's env (secret, admin seed, generous limits), on the router's database and topics; no limit may
    // answer 429 during the load.
    process.env['KAFKA_BROKERS'] ??= brokers;
    process.env['MONGO_URL'] ??= mongoUrl;
    gateway = await GatewayHarness.start({
      env: {
        ...shared,
        GATEWAY_AGENT_RATE_LIMIT_PER_MINUTE: '1000000000',
        GATEWAY_PUBLIC_RATE_LIMIT_PER_IP: '1000000000',
        GATEWAY_ACCESS_TOKEN_TTL_SECONDS: '3600',
        GATEWAY_WEBCHAT_INBOXES: JSON.stringify([{ id: WEBCHAT_INBOX, allowedOrigins: [WEBCHAT_ORIGIN] }]),
        GATEWAY_WEBCHAT_RATE_LIMIT_PER_MINUTE: '10000',
      },
    });
    const messaging: MessagingOptions = {
      clientId: 'bench-gateway-seed',
      brokers: brokers.split(','),
      topicPrefix: prefix,
      logLevel: 'warn',
    };
    console.error(
      `bench: seeding ${options.conversations} conversations (one of ${options.timeline} messages) through the router`,
    );
    const seeded = await seed(gateway, messaging, runId, options);
    const open = await gateway.db
      .collection(RouterCollections.conversations)
      .countDocuments({ tenantId: TENANT, queueId: QUEUE, status: 'open' });
    const token = (await gateway.loginAsAdmin()).accessToken;
    const targets = await readTargets(gateway, token, seeded.longConversationId, options);
    // Plenty of requests: the timed runs (--measure-s) stop well before they run out.
    const most = 1_000_000;
    const requests = {
      list: gets([targets.listPath], token, most),
      timeline: gets(targets.pagePaths, token, most),
      warmup: [
        gets([targets.listPath], token, options.warmup),
        gets(targets.pagePaths, token, options.warmup),
      ],
    };
    console.error('bench: timing the store reads alone');
    const store = await timeStoreReads(gateway, seeded.longConversationId, options);
    console.error('bench: measuring the gateway');
    const measured = await measureHttp(gateway.url, requests, options);
    console.error('bench: measuring the baseline');
    const baseline = await runBaseline({ list: targets.listBody, pages: targets.pages }, requests, options);
    console.error('bench: measuring web chat → agent socket');
    const webchat = await runWebchat(gateway, token, runId, options);
    return { seeded, open, targets, store, measured, baseline, webchat };
  } finally {
    await router.close();
    await gateway?.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const conversations = argument('conversations', 2_000);
  const timeline = argument('timeline', 500);
  const timeoutMs = argument('timeout-s', 600) * 1000;
  const infra = await startLocalInfra({ progress: (line) => console.error(`bench: ${line}`) });
  const options: Options = {
    conversations,
    timeline,
    listLimit: Math.min(MAX_PAGE, argument('list-limit', 50)),
    concurrency: argument('concurrency', 16),
    measureMs: argument('measure-s', 20) * 1000,
    warmup: argument('warmup', 200),
    visitors: argument('visitors', 20),
    rate: argument('rate', 20),
    steadyMs: argument('steady-s', 30) * 1000,
    deadline: Date.now() + timeoutMs,
  };
  hardStopAfter(timeoutMs);
  try {
    const result = await run(infra.kafkaBrokers ?? '', infra.mongoUrl ?? '', options);
    const { measured, baseline, targets, webchat, seeded, store } = result;
    const ratio = (gateway: Measured, bare: Measured): number =>
      Number((gateway.perSecond / bare.perSecond).toPrecision(3));
    const pages = targets.pagePaths.length;
    const fullTimelines = Math.round((measured.timeline.perSecond / pages) * 10) / 10;
    console.log(
      `\ngateway bench: ${conversations} open conversations in queue ${QUEUE} (${result.open} in the store), one with ` +
        `${timeline} messages, seeded through Kafka and the router in ${seeded.seconds.toFixed(1)} s ` +
        `(${Math.round((conversations - 1 + timeline) / seeded.seconds)} msg/s); HTTP at concurrency ` +
        `${options.concurrency} for ${options.measureMs / 1000} s per measure after ${options.warmup} warm-up ` +
        `requests, as the admin; the load generator runs in this process (with the gateway and the router), over ` +
        `loopback keep-alive connections\n`,
    );
    console.log(
      describeMeasured(
        `queue list   (limit ${options.listLimit}: ${targets.listed} conversations, ${targets.listBytes} B):`,
        measured.list,
        'req/s',
      ),
    );
    console.log(describeMeasured('  baseline   (bare NestJS + Fastify, same body):', baseline.list, 'req/s'));
    console.log(`  ratio        (gateway / baseline): ${ratio(measured.list, baseline.list)}`);
    console.log(`  store alone  (the read model's query, one at a time): p50 ${store.listP50} ms`);
    console.log(
      describeMeasured(
        `timeline page (limit ${MAX_PAGE}, up to ${targets.pageBytes} B; ${targets.messages} messages = ${pages} ` +
          `requests per full timeline):`,
        measured.timeline,
        'req/s',
      ),
    );
    console.log(`    = ${fullTimelines} full timelines/s`);
    console.log(
      describeMeasured('  baseline   (bare NestJS + Fastify, same bodies):', baseline.timeline, 'req/s'),
    );
    console.log(`  ratio        (gateway / baseline): ${ratio(measured.timeline, baseline.timeline)}`);
    console.log(
      `  store alone  (the read model's first-page query, one at a time): p50 ${store.timelineP50} ms`,
    );
    if (webchat) {
      const ackErrors = [...webchat.ackErrors].map(([kind, count]) => `${kind}: ${count}`).join(', ');
      console.log(
        `  web chat     ${webchat.sent} messages from ${options.visitors} visitors at ${webchat.perSecond}/s: ` +
          `emit → agent socket p50 ${webchat.p50} ms, p99 ${webchat.p99} ms; ${webchat.received} received, ` +
          `${webchat.lost} never arrived; ack p50 ${webchat.ackP50} ms, p99 ${webchat.ackP99} ms` +
          (ackErrors ? `; ack errors: ${ackErrors}` : ''),
      );
    } else
      console.log(
        '  web chat     not measured: POST /api/v1/webchat/sessions answered 404 (no web chat here)',
      );
    console.log('');
    const failures = [
      ...(result.open < conversations ? [`only ${result.open} open conversations in the queue`] : []),
      ...(targets.messages < timeline ? [`the long timeline has ${targets.messages} messages`] : []),
      ...Object.entries({
        ...measured,
        ...{ baselineList: baseline.list, baselineTimeline: baseline.timeline },
      })
        .filter(([, run]) => run.errorCount + run.warmup.errorCount > 0)
        .map(([name]) => `the ${name} run had errors`),
      ...(webchat && webchat.lost > 0 ? [`${webchat.lost} web-chat messages never reached the agent`] : []),
      ...(webchat && webchat.ackErrors.size > 0 ? ['some web-chat messages were not acknowledged'] : []),
    ];
    for (const failure of failures) console.error(`bench: FAILED: ${failure}`);
    console.log(
      JSON.stringify({
        bench: 'gateway',
        conversations,
        timeline_messages: targets.messages,
        concurrency: options.concurrency,
        queue_per_s: measured.list.perSecond,
        queue_p50_ms: measured.list.p50,
        queue_p99_ms: measured.list.p99,
        queue_samples: measured.list.accepted,
        queue_store_p50_ms: store.listP50,
        queue_baseline_per_s: baseline.list.perSecond,
        queue_ratio: ratio(measured.list, baseline.list),
        timeline_requests_per_full: pages,
        timeline_per_s: measured.timeline.perSecond,
        timeline_p50_ms: measured.timeline.p50,
        timeline_p99_ms: measured.timeline.p99,
        timeline_full_per_s: fullTimelines,
        timeline_samples: measured.timeline.accepted,
        timeline_store_p50_ms: store.timelineP50,
        timeline_baseline_per_s: baseline.timeline.perSecond,
        timeline_ratio: ratio(measured.timeline, baseline.timeline),
        webchat_per_s: webchat?.perSecond ?? null,
        webchat_p50_ms: webchat?.p50 ?? null,
        webchat_p99_ms: webchat?.p99 ?? null,
        webchat_lost: webchat?.lost ?? null,
        errors: measured.list.errorCount + measured.timeline.errorCount,
        seed_s: Math.round(seeded.seconds * 10) / 10,
      }),
    );
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    await infra.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
