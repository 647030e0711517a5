// E-mail ingest benchmark: N mixed mails shaped like real support mail (plain text, HTML with inline styles and
// links, one or two attachments, ISO-8859-1 / Windows-1252 quoted-printable bodies with RFC 2047 subjects, replies
// with In-Reply-To/References) are appended with IMAP APPEND to one folder of a real Dovecot, then read by the real
// email-ingest service (in this process) through the real Kafka and FerretDB. Measures mails/s from the service's
// start until every mail is on ponte.inbound.message.v1 and the checkpoint is at the last UID, next to a bare
// imapflow fetch of the same folder in the same run (the baseline), then the append→Kafka latency of M more mails
// appended at a fixed rate while the service IDLEs. Fails when a mail is missing, doubled or read wrong.
// Usage: npm run bench:email -- [--mails 500] [--steady 100] [--rate 10] [--timeout-s 300]
// (--timeout-s bounds the run once Kafka, FerretDB and Dovecot are up.)
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Topics } from '@ponte/contracts';
import { DovecotServer, startLocalInfra } from '@ponte/local-infra';
import { ConsumerRunner, type MessagingOptions } from '@ponte/messaging';
import { createServiceApp, loadConfig } from '@ponte/platform';
import { ImapFlow } from 'imapflow';
// eslint-disable-next-line no-restricted-imports -- the topic's offsets, to prove every record was read; the bus has no admin API.
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { EmailIngestConfig } from '../../apps/email-ingest/src/config/email-ingest.config';
import { emailIngestService } from '../../apps/email-ingest/src/email-ingest.definition';
import { MailboxIngestSupervisor } from '../../apps/email-ingest/src/ingest/mailbox-ingest.supervisor';
import {
  buildMail,
  buildMimeMail,
  type TestAttachment,
} from '../../apps/email-ingest/src/testing/mail.builders';
import { argument, percentile } from './bench-args';

const TENANT = 'bench';
const IMAP_USER = 'support';
const FOLDER = 'Support';
const MAILBOX_ID = 'bench';
const MAILBOX_ADDRESS = 'suporte@acme.test';
/** The service's default fallback poll: a steady-phase latency near it means IDLE missed the mail. */
const POLL_INTERVAL_MS = 60_000;
/** Dovecot sends IDLE's EXISTS up to this long after a change (NOTIFY_DELAY_MSECS of its mailbox watch). */
const DOVECOT_NOTIFY_DELAY_MS = 500;
const PARTITIONS = 3;

type Shape =
  'plain' | 'html' | 'html-only' | 'attachment' | 'attachments' | 'iso-8859-1' | 'windows-1252' | 'reply';

/** One cycle of 20 mails: 30 % plain, 25 % HTML, 15 % with attachments, 15 % 8-bit charsets, 15 % replies. */
const CYCLE: readonly Shape[] = [
  ...Array<Shape>(6).fill('plain'),
  ...Array<Shape>(4).fill('html'),
  'html-only',
  'attachment',
  'attachment',
  'attachments',
  'iso-8859-1',
  'iso-8859-1',
  'windows-1252',
  ...Array<Shape>(3).fill('reply'),
];
const NAMES = ['João Araújo', 'Maria Conceição', 'José Müller', 'Ana Lúcia Gonçalves', 'Fernanda Oliveira'];

interface BenchMail {
  shape: Shape;
  raw: Buffer;
  messageId: string;
  /** As the service must publish it (decoded). */
  subject: string;
  attachments: number;
}

/** Deterministic sizes from run to run (mulberry32). */
function sizes(seed: number): (min: number, max: number) => number {
  let state = seed;
  return (min, max) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return min + Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * (max - min));
  };
}

function pdf(bytes: number): TestAttachment {
  return {
    fileName: `fatura-${randomUUID().slice(0, 8)}.pdf`,
    contentType: 'application/pdf',
    bytes: Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(bytes)]),
  };
}

function html(index: number, name: string, image?: string): string {
  const cell = 'style="padding: 4px 8px; border: 1px solid #ccc"';
  return [
    '<div style="font-family: Arial, sans-serif; font-size: 14px; color: #222">',
    '<p>Olá equipe,</p>',
    `<p>O pedido <b>#${index}</b> ainda não chegou. Rastreio: <a href="https://rastreio.example.com/${index}" style="color: #1a73e8; text-decoration: underline">acompanhar entrega</a>.</p>`,
    `<table style="border-collapse: collapse; margin: 8px 0"><tr><th ${cell}>Produto</th><th ${cell}>Qtd</th><th ${cell}>Valor</th></tr>`,
    `<tr><td ${cell}>Fone de ouvido</td><td ${cell}>1</td><td ${cell}>R$ 189,90</td></tr>`,
    `<tr><td ${cell}>Cabo USB-C</td><td ${cell}>2</td><td ${cell}>R$ 39,80</td></tr></table>`,
    ...(image ? [`<p><img src="cid:${image}" alt="foto do produto" width="320"></p>`] : []),
    `<p style="margin-top: 12px; color: #555">Atenciosamente,<br>${name}<br><a href="https://www.example.com">www.example.com</a></p>`,
    '</div>',
  ].join('\n');
}

/** The index-th mail of the run; replies answer a mail three positions earlier. */
function benchMail(
  index: number,
  earlier: readonly BenchMail[],
  size: (min: number, max: number) => number,
): BenchMail {
  const shape = CYCLE[index % CYCLE.length] ?? 'plain';
  const customer = index % 97;
  const name = NAMES[customer % NAMES.length] ?? 'Cliente';
  const from = `${name} <cliente${customer}@example.com>`;
  const to = `Suporte ACME <${MAILBOX_ADDRESS}>`;
  const messageId = `bench-${index}-${randomUUID()}@example.com`;
  const mime = (subject: string, options: Parameters<typeof buildMimeMail>[0] = {}): BenchMail => ({
    shape,
    raw: buildMimeMail({ from, to, subject, messageId, ...options }).raw,
    messageId,
    subject,
    attachments: options.attachments?.length ?? 0,
  });
  const parent = earlier[index - 3];
  switch (shape) {
    case 'plain': {
      const subject = `Pedido #${index}: entrega atrasada`;
      const body = `Ola, comprei no dia 3 e o pedido #${index} ainda nao chegou.\r\nPodem verificar?\r\n\r\nObrigado,\r\nCliente ${customer}`;
      const raw = buildMail({
        from: `Cliente ${customer} <cliente${customer}@example.com>`,
        to,
        subject,
        messageId,
        body,
      }).raw;
      return { shape, raw: Buffer.from(raw, 'utf8'), messageId, subject, attachments: 0 };
    }
    case 'html':
      return mime(`Pedido #${index} não chegou – preciso de ajuda`, {
        text: `Olá equipe,\nO pedido #${index} ainda não chegou.\nAtenciosamente,\n${name}`,
        html: html(index, name),
      });
    case 'html-only':
      return mime(`Reclamação sobre o pedido #${index}`, { html: html(index, name) });
    case 'attachment':
      return mime(`Segue a nota fiscal do pedido #${index}`, {
        text: `Olá,\nSegue em anexo a nota fiscal do pedido #${index}.\nAtt,\n${name}`,
        attachments: [pdf(size(20_000, 250_000))],
      });
    case 'attachments': {
      const image = `foto-${index}@example.com`;
      return mime(`Produto com defeito – pedido #${index} (fotos e nota)`, {
        text: `Olá,\nO produto chegou com defeito, seguem a foto e a nota.\n${name}`,
        html: html(index, name, image),
        attachments: [
          {
            fileName: 'foto.png',
            contentType: 'image/png',
            bytes: randomBytes(size(5_000, 60_000)),
            contentId: image,
          },
          pdf(size(20_000, 200_000)),
        ],
      });
    }
    case 'iso-8859-1':
      return mime(`Cobrança indevida não reconhecida nº ${index}`, {
        charset: 'iso-8859-1',
        text: `Olá, a cobrança de março está errada.\nNão reconheço o lançamento de R$ 89,90 (nº ${index}).\nAté mais, ${name}`,
      });
    case 'windows-1252':
      return mime(`Cobrança “indevida” – pedido nº ${index}`, {
        charset: 'windows-1252',
        text: `O valor “cobrado” foi de 1.234,56 € — bem acima do combinado…\nPeço o estorno.\n${name}`,
      });
    case 'reply': {
      if (!parent) return mime(`Pedido #${index}`, { text: 'Olá' });
      return mime(`Re: ${parent.subject}`, {
        inReplyTo: parent.messageId,
        references: [parent.messageId],
        text: [
          'Obrigado pelo retorno, mas o problema continua.',
          '',
          `Em sex., 14 de mar. de 2025 às 12:00, Suporte ACME <${MAILBOX_ADDRESS}> escreveu:`,
          '> Olá, estamos verificando o seu pedido.',
          '> Atenciosamente, Suporte ACME',
        ].join('\n'),
      });
    }
  }
}

function imapClient(dovecot: DovecotServer, password: string): ImapFlow {
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    auth: { user: IMAP_USER, pass: password },
    logger: false,
  });
  client.on('error', () => undefined);
  return client;
}

/** Bare imapflow: one `UID FETCH 1:* (UID ENVELOPE BODY[])`, streamed (the baseline). */
async function fetchAllAtOnce(client: ImapFlow): Promise<{ mails: number; bytes: number }> {
  let mails = 0;
  let bytes = 0;
  for await (const message of client.fetch(
    '1:*',
    { uid: true, envelope: true, source: true },
    { uid: true },
  )) {
    mails += 1;
    bytes += message.source?.length ?? 0;
  }
  return { mails, bytes };
}

/** The service's IMAP access pattern without the service: envelopes 100 UIDs at a time, then each source alone. */
async function fetchOneByOne(client: ImapFlow): Promise<number> {
  const uids = ((await client.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
  let mails = 0;
  for (let start = 0; start < uids.length; start += 100) {
    const batch = uids.slice(start, start + 100);
    await client.fetchAll(batch.join(','), { uid: true, envelope: true, size: true }, { uid: true });
    for (const uid of batch) {
      const message = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
      if (message && message.source) mails += 1;
    }
  }
  return mails;
}

async function baseline(dovecot: DovecotServer, password: string, expected: number) {
  const client = imapClient(dovecot, password);
  await client.connect();
  try {
    await client.mailboxOpen(FOLDER, { readOnly: true });
    // Untimed pass: Dovecot builds its index cache on the first read, which neither timed reader should pay.
    await fetchAllAtOnce(client);
    let startedAt = performance.now();
    const { mails, bytes } = await fetchAllAtOnce(client);
    const perSecond = Math.round(mails / ((performance.now() - startedAt) / 1000));
    if (mails !== expected) throw new Error(`baseline: fetched ${mails} mails, ${expected} were appended`);
    startedAt = performance.now();
    const oneByOne = await fetchOneByOne(client);
    const oneByOnePerSecond = Math.round(oneByOne / ((performance.now() - startedAt) / 1000));
    return { perSecond, oneByOnePerSecond, bytes };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Polls `done` every 10 ms until it is true; past the deadline, throws with `progress()`. */
async function until(
  done: () => boolean | Promise<boolean>,
  deadline: number,
  progress: () => string | Promise<string>,
): Promise<void> {
  let reportedAt = Date.now();
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out (--timeout-s): ${await progress()}`);
    if (Date.now() - reportedAt > 10_000) {
      reportedAt = Date.now();
      console.error(`bench: ${await progress()}`);
    }
    await delay(10);
  }
}

interface Seen {
  count: number;
  at: number;
  subject?: string;
  attachments: number;
}

async function run(
  brokers: string,
  mongoUrl: string,
  dovecot: DovecotServer,
  password: string,
  options: { mails: number; steady: number; rate: number; deadline: number },
) {
  const size = sizes(20_250_314);
  const backlog: BenchMail[] = [];
  for (let index = 0; index < options.mails; index++) backlog.push(benchMail(index, backlog, size));
  const steady: BenchMail[] = [];
  for (let index = 0; index < options.steady; index++) {
    steady.push(benchMail(options.mails + index, [...backlog, ...steady], size));
  }
  const prefix = `bench-${randomUUID().slice(0, 8)}.`;
  const url = new URL(mongoUrl);
  url.pathname = `/bench_email_${randomUUID().slice(0, 8)}`;
  const messaging: MessagingOptions = {
    clientId: 'bench-email',
    brokers: brokers.split(','),
    topicPrefix: prefix,
    topics: { partitions: PARTITIONS, replicationFactor: 1 },
    logLevel: 'warn',
    // To stderr, without kafkajs' debug lines: stdout carries the figures and ends with the JSON line.
    logger: {
      log: () => undefined,
      warn: (message: unknown) => console.error(`bench: kafka: ${String(message)}`),
      error: (message: unknown) => console.error(`bench: kafka: ${String(message)}`),
    },
  };
  const seen = new Map<string, Seen>();
  let records = 0;
  const recorder = new ConsumerRunner(messaging, {
    groupId: `bench-email-recorder-${randomUUID()}`,
    topics: [Topics.inboundMessage],
    partitionsConsumedConcurrently: PARTITIONS,
    handleBatch: async (batch) => {
      const now = performance.now();
      for (const { envelope } of batch) {
        records += 1;
        const message = envelope.data;
        const known = seen.get(message.externalId);
        if (known) known.count += 1;
        else
          seen.set(message.externalId, {
            count: 1,
            at: now,
            ...(message.content.subject !== undefined ? { subject: message.content.subject } : {}),
            attachments: message.attachments?.length ?? 0,
          });
      }
    },
  });
  const appender = imapClient(dovecot, password);
  const mongo = new MongoClient(url.toString());
  const kafka = new Kafka({
    clientId: 'bench-email-admin',
    brokers: messaging.brokers.slice(),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  let app: NestFastifyApplication | undefined;
  try {
    await appender.connect();
    await appender.mailboxCreate(FOLDER);
    const append = async (mail: BenchMail): Promise<number> => {
      const result = await appender.append(FOLDER, mail.raw);
      if (!result || result.uid === undefined) throw new Error('APPEND returned no UID (UIDPLUS)');
      return result.uid;
    };
    const appendStartedAt = performance.now();
    let lastUid = 0;
    for (const mail of backlog) lastUid = await append(mail);
    const appendSeconds = (performance.now() - appendStartedAt) / 1000;
    console.error(
      `bench: ${backlog.length} mails appended in ${appendSeconds.toFixed(1)} s; baseline fetch…`,
    );
    const bare = await baseline(dovecot, password, backlog.length);

    await recorder.start();
    await mongo.connect();
    const checkpoints = mongo.db().collection<{ _id: string; lastUid: number }>('email_mailbox_checkpoints');
    const checkpointAt = async (uid: number): Promise<boolean> =>
      ((await checkpoints.findOne({ _id: `${MAILBOX_ID}/${FOLDER}` }))?.lastUid ?? 0) >= uid;
    const missing = async (mails: readonly BenchMail[], uid: number): Promise<string> => {
      const absent = mails.filter((mail) => !seen.has(mail.messageId));
      const quarantined = await mongo.db().collection('email_quarantine').countDocuments();
      const checkpoint = await checkpoints.findOne({ _id: `${MAILBOX_ID}/${FOLDER}` });
      return (
        `${mails.length - absent.length}/${mails.length} mails on Kafka, checkpoint ${checkpoint?.lastUid ?? 0}/${uid}, ` +
        `${quarantined} quarantined; waiting for e.g. ${absent
          .slice(0, 5)
          .map((mail) => `${mail.shape} ${mail.messageId}`)
          .join(', ')}`
      );
    };
    const env = {
      KAFKA_BROKERS: brokers,
      MONGO_URL: url.toString(),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
      LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn',
      PORT: '0',
      EMAIL_TENANT_ID: TENANT,
      EMAIL_POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
      EMAIL_MAILBOXES: JSON.stringify([
        {
          id: MAILBOX_ID,
          address: MAILBOX_ADDRESS,
          displayName: 'Suporte ACME',
          imap: {
            host: dovecot.host,
            port: dovecot.port,
            secure: false,
            user: IMAP_USER,
            password,
            folder: FOLDER,
          },
        },
      ]),
    };

    const startedAt = performance.now();
    app = await createServiceApp(emailIngestService, loadConfig(EmailIngestConfig, env, 'email-ingest'));
    const bootMs = performance.now() - startedAt;
    await until(
      () => backlog.every((mail) => seen.has(mail.messageId)),
      options.deadline,
      () => missing(backlog, lastUid),
    );
    await until(
      () => checkpointAt(lastUid),
      options.deadline,
      () => missing(backlog, lastUid),
    );
    const backlogDoneAt = performance.now();
    const lastSeenAt = Math.max(...backlog.map((mail) => seen.get(mail.messageId)?.at ?? 0));
    const totalMs = Math.max(lastSeenAt, backlogDoneAt) - startedAt;
    const firstSeenAt = Math.min(...backlog.map((mail) => seen.get(mail.messageId)?.at ?? Infinity));

    // Steady: the ingestor IDLEs between syncs; each mail's clock starts when its APPEND completed.
    const [ingestor] = app.get(MailboxIngestSupervisor).ingestors;
    await until(
      () => ingestor?.state === 'waiting',
      options.deadline,
      () => `ingestor ${ingestor?.state}`,
    );
    const appendedAt = new Map<string, number>();
    const steadyStartedAt = performance.now();
    for (const [index, mail] of steady.entries()) {
      const wait = steadyStartedAt + (index * 1000) / options.rate - performance.now();
      if (wait > 0) await delay(wait);
      lastUid = await append(mail);
      appendedAt.set(mail.messageId, performance.now());
    }
    const steadyAppendSeconds = (performance.now() - steadyStartedAt) / 1000;
    await until(
      () => steady.every((mail) => seen.has(mail.messageId)),
      options.deadline,
      () => missing(steady, lastUid),
    );
    await until(
      () => checkpointAt(lastUid),
      options.deadline,
      () => missing(steady, lastUid),
    );
    const latencies = steady
      .map(
        (mail) =>
          (seen.get(mail.messageId)?.at ?? Number.NaN) - (appendedAt.get(mail.messageId) ?? Number.NaN),
      )
      .sort((a, b) => a - b);

    // Every record of this run's topic read, then each mail must have been published exactly once, as written.
    await app.close();
    app = undefined;
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(`${prefix}${Topics.inboundMessage}`);
    const onTopic = offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
    await until(
      () => records >= onTopic,
      options.deadline,
      () => `${records}/${onTopic} records of the topic read (the rest may be in its DLQ)`,
    );
    const all = [...backlog, ...steady];
    const doubled = all.filter((mail) => (seen.get(mail.messageId)?.count ?? 0) > 1);
    const wrong = all.filter((mail) => {
      const published = seen.get(mail.messageId);
      return published?.subject !== mail.subject || published.attachments !== mail.attachments;
    });
    const ours = new Set(all.map((mail) => mail.messageId));
    const strangers = [...seen.keys()].filter((id) => !ours.has(id));
    const problems = [
      ...(doubled.length > 0
        ? [
            `${doubled.length} mails published more than once, e.g. ${doubled[0]?.shape} ${doubled[0]?.messageId}`,
          ]
        : []),
      ...(wrong.length > 0
        ? [
            `${wrong.length} mails published with another subject or attachment count, e.g. ${wrong[0]?.shape} ${JSON.stringify(wrong[0]?.subject)} → ${JSON.stringify(seen.get(wrong[0]?.messageId ?? '')?.subject)}`,
          ]
        : []),
      ...(strangers.length > 0
        ? [`${strangers.length} messages on the topic that this run did not append`]
        : []),
      ...(onTopic !== all.length ? [`${onTopic} records on the topic for ${all.length} mails`] : []),
    ];
    const shapes = new Map<Shape, number>();
    for (const mail of backlog) shapes.set(mail.shape, (shapes.get(mail.shape) ?? 0) + 1);
    return {
      perSecond: Math.round(backlog.length / (totalMs / 1000)),
      totalMs,
      bootMs,
      firstMs: firstSeenAt - startedAt,
      mailboxBytes: bare.bytes,
      baseline: bare.perSecond,
      baselineOneByOne: bare.oneByOnePerSecond,
      appendPerSecond: Math.round(backlog.length / appendSeconds),
      steadyRate: steady.length / steadyAppendSeconds,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: latencies.at(-1) ?? Number.NaN,
      overOneSecond: latencies.filter((latency) => latency > 1_000).length,
      shapes,
      problems,
    };
  } finally {
    await app?.close().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    if (recorder.isRunning()) await recorder.stop().catch(() => undefined);
    await appender.logout().catch(() => appender.close());
    await mongo.connect().then(
      () => mongo.db().dropDatabase(),
      () => undefined,
    );
    await mongo.close().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const mails = argument('mails', 500);
  const steady = argument('steady', 100);
  const rate = argument('rate', 10);
  const timeoutMs = argument('timeout-s', 300) * 1000;
  const password = randomUUID();
  const infra = await startLocalInfra({ progress: (line) => console.error(`bench: ${line}`) });
  let result: Awaited<ReturnType<typeof run>>;
  try {
    const dovecot = await DovecotServer.start({ users: [{ user: IMAP_USER, password }] });
    try {
      // Last resort if something hangs outside the bounded waits (the servers die with this process).
      setTimeout(() => {
        console.error('bench: still running 60 s past --timeout-s, exiting');
        process.exit(1);
      }, timeoutMs + 60_000).unref();
      result = await run(infra.kafkaBrokers ?? '', infra.mongoUrl ?? '', dovecot, password, {
        mails,
        steady,
        rate,
        deadline: Date.now() + timeoutMs,
      });
    } finally {
      await dovecot.stop();
    }
  } finally {
    await infra.stop();
  }
  const ratio = Math.round((result.perSecond / result.baseline) * 1000) / 1000;
  const mix = [...result.shapes].map(([shape, count]) => `${count} ${shape}`).join(', ');
  console.log(
    `\ne-mail ingest bench: ${mails} mails (${mix}), ${(result.mailboxBytes / 1_048_576).toFixed(1)} MiB, one ` +
      `Dovecot folder, ${PARTITIONS} partitions; appended at ${result.appendPerSecond} mails/s\n`,
  );
  console.table({
    'service: start → all on Kafka + checkpoint at last UID (mails/s)': result.perSecond,
    'service: wall time (ms)': Math.round(result.totalMs),
    'service: boot (ms)': Math.round(result.bootMs),
    'service: first mail on Kafka after start (ms)': Math.round(result.firstMs),
    'baseline: bare imapflow UID FETCH 1:* envelope + source (mails/s)': result.baseline,
    'bare imapflow, envelopes per 100 then one UID FETCH per source (mails/s)': result.baselineOneByOne,
    ratio,
  });
  console.log(
    `\nsteady: ${steady} mails appended at ${result.steadyRate.toFixed(1)}/s while the service IDLEs; Dovecot ` +
      `announces new mail up to ${DOVECOT_NOTIFY_DELAY_MS} ms after it arrived, the service's fallback poll runs ` +
      `every ${POLL_INTERVAL_MS / 1000} s (${result.max > POLL_INTERVAL_MS / 2 ? 'some latencies reflect it: IDLE missed mail' : 'no latency reflects it'})\n`,
  );
  console.table({
    'APPEND completed → on Kafka p50 ms': Math.round(result.p50),
    'APPEND completed → on Kafka p99 ms': Math.round(result.p99),
    'APPEND completed → on Kafka max ms': Math.round(result.max),
    'mails over 1 s': result.overOneSecond,
  });
  for (const problem of result.problems) console.error(`bench: FAILED: ${problem}`);
  if (result.problems.length > 0) process.exitCode = 1;
  console.log(
    JSON.stringify({
      bench: 'email',
      per_s: result.perSecond,
      p50_ms: Math.round(result.p50),
      p99_ms: Math.round(result.p99),
      baseline_per_s: result.baseline,
      ratio,
      mails,
      steady,
      steady_rate_per_s: Math.round(result.steadyRate * 10) / 10,
      baseline_one_by_one_per_s: result.baselineOneByOne,
      mailbox_mib: Math.round((result.mailboxBytes / 1_048_576) * 10) / 10,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
