import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  buildOutboundMessage,
  createEnvelope,
  type DeliveryStatus,
  type EnvelopeOf,
  type InboundMessage,
  messageKey,
  type OutboundMessage,
  type TopicName,
  Topics,
} from '@ponte/contracts';
import { ConsumerRunner, MessageBus, type MessagingOptions } from '@ponte/messaging';
import { createServiceApp, loadConfig } from '@ponte/platform';
import {
  DovecotServer,
  SmtpTestServer,
  testKafkaBrokers,
  testMongoUrl,
  uniqueName,
  waitFor,
} from '@ponte/testing';
import { ImapFlow } from 'imapflow';
import { type Db, MongoClient } from 'mongodb';
import { EmailIngestConfig } from '../config/email-ingest.config';
import { emailIngestService } from '../email-ingest.definition';
import { EmailIngestModule } from '../email-ingest.module';
import type { IngestHooks } from '../ingest/inbound-email.pipeline';
import { MailboxIngestSupervisor } from '../ingest/mailbox-ingest.supervisor';
import { buildMail, type TestMailOptions } from './mail.builders';

export const TENANT = 'tenant-test';
export const IMAP_USER = 'support';
export const IMAP_PASSWORD = 'secret-support';
export const CUSTOMER = 'joao@customer.example';

export interface TestMailbox {
  id: string;
  folder: string;
  address: string;
  /** Without SMTP settings when false. */
  smtp?: boolean;
}

/**
 * The real email-ingest service (its Nest app, IMAP ingestors and Kafka consumer) on private topics and a private
 * database, against a Dovecot and an SMTP server of its own, with a recorder of what it published. The service can
 * be stopped and started again over the same servers and database, as a deployment restarts it.
 */
export class EmailIngestHarness {
  app?: NestFastifyApplication;
  private readonly clients: ImapFlow[] = [];

  private constructor(
    readonly inbound: EnvelopeOf<typeof Topics.inboundMessage>[],
    readonly statuses: EnvelopeOf<typeof Topics.deliveryStatus>[],
    readonly dovecot: DovecotServer,
    readonly smtp: SmtpTestServer,
    readonly db: Db,
    private readonly mongo: MongoClient,
    private readonly mongoUrl: string,
    private readonly prefix: string,
    private readonly bus: MessageBus,
    private readonly recorder: ConsumerRunner<TopicName>,
  ) {}

  static async start(): Promise<EmailIngestHarness> {
    const prefix = `${uniqueName('email')}.`;
    const brokers = testKafkaBrokers();
    const mongoUrl = testMongoUrl(uniqueName('email'));
    const dovecot = await DovecotServer.start({ users: [{ user: IMAP_USER, password: IMAP_PASSWORD }] });
    const smtp = await SmtpTestServer.start();
    const messaging: MessagingOptions = {
      clientId: 'email-test',
      brokers: brokers.split(','),
      topicPrefix: prefix,
      logLevel: 'nothing',
    };
    const mongo = await new MongoClient(mongoUrl).connect();
    const bus = new MessageBus(messaging);
    const inbound: EnvelopeOf<typeof Topics.inboundMessage>[] = [];
    const statuses: EnvelopeOf<typeof Topics.deliveryStatus>[] = [];
    // Started with the service's first start, which provisions the topics.
    const recorder = new ConsumerRunner<TopicName>(messaging, {
      groupId: uniqueName('recorder'),
      topics: [Topics.inboundMessage, Topics.deliveryStatus],
      handleMessage: async (message) => {
        if (message.topic === Topics.inboundMessage) inbound.push(message.envelope);
        else if (message.topic === Topics.deliveryStatus) statuses.push(message.envelope);
      },
    });
    return new EmailIngestHarness(
      inbound,
      statuses,
      dovecot,
      smtp,
      mongo.db(),
      mongo,
      mongoUrl,
      prefix,
      bus,
      recorder,
    );
  }

  /** Boots the service with these mailboxes (each a folder of the test user's account). */
  async startService(
    mailboxes: readonly TestMailbox[],
    options: { hooks?: IngestHooks; env?: Record<string, string> } = {},
  ): Promise<void> {
    const env: Record<string, string> = {
      KAFKA_BROKERS: testKafkaBrokers(),
      MONGO_URL: this.mongoUrl,
      KAFKA_TOPIC_PREFIX: this.prefix,
      LOG_LEVEL: 'warn',
      PORT: '0',
      EMAIL_TENANT_ID: TENANT,
      EMAIL_POLL_INTERVAL_MS: '1000',
      EMAIL_RECONNECT_INITIAL_BACKOFF_MS: '100',
      EMAIL_RECONNECT_MAX_BACKOFF_MS: '1000',
      EMAIL_FETCH_BATCH: '7',
      EMAIL_SEND_INITIAL_BACKOFF_MS: '50',
      EMAIL_MAILBOXES: JSON.stringify(
        mailboxes.map((mailbox) => ({
          id: mailbox.id,
          address: mailbox.address,
          displayName: 'Suporte ACME',
          imap: {
            host: this.dovecot.host,
            port: this.dovecot.port,
            secure: false,
            user: IMAP_USER,
            password: IMAP_PASSWORD,
            folder: mailbox.folder,
          },
          ...(mailbox.smtp === false
            ? {}
            : { smtp: { host: '127.0.0.1', port: this.smtp.port, secure: false } }),
        })),
      ),
      ...options.env,
    };
    const config = loadConfig(EmailIngestConfig, env, 'email-ingest');
    this.app = await createServiceApp(
      {
        ...emailIngestService,
        module: (loaded) => EmailIngestModule.register(loaded, { hooks: options.hooks ?? {} }),
      },
      config,
    );
    if (!this.recorder.isRunning()) await this.recorder.start();
  }

  async stopService(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }

  /** An HTTP request to the running service; the body parsed as JSON when it is JSON. */
  async http(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; body: unknown }> {
    if (!this.app) throw new Error('the service is not running');
    const url = (await this.app.getUrl()).replace('[::1]', '127.0.0.1');
    const response = await fetch(`${url}${path}`, { method, headers });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json');
    return { status: response.status, headers: response.headers, body: json ? JSON.parse(text) : text };
  }

  get supervisor(): MailboxIngestSupervisor {
    if (!this.app) throw new Error('the service is not running');
    return this.app.get(MailboxIngestSupervisor);
  }

  /** An IMAP session of the test user, for appending and expunging as a mail server and other clients would. */
  async imap(): Promise<ImapFlow> {
    const client = new ImapFlow({
      host: this.dovecot.host,
      port: this.dovecot.port,
      secure: false,
      auth: { user: IMAP_USER, pass: IMAP_PASSWORD },
      logger: false,
    });
    client.on('error', () => undefined);
    await client.connect();
    this.clients.push(client);
    return client;
  }

  async createFolder(folder: string): Promise<void> {
    const client = await this.imap();
    await client.mailboxCreate(folder);
  }

  private folders = 0;

  /** A fresh folder per test, watched as its own mailbox (`<name><n>`, id `<name>-<n>` in lower case). */
  async newMailbox(name = 'Test'): Promise<TestMailbox> {
    this.folders += 1;
    const folder = `${name}${this.folders}`;
    await this.createFolder(folder);
    return { id: `${name.toLowerCase()}-${this.folders}`, folder, address: 'support@acme.test' };
  }

  /** Appends a mail with IMAP APPEND (Dovecot assigns the UID); returns its Message-ID (null when it has none). */
  async append(
    folder: string,
    mail: TestMailOptions | string | Buffer = {},
  ): Promise<{ messageId: string | null; uid: number }> {
    const built =
      typeof mail === 'string' || Buffer.isBuffer(mail) ? { raw: mail, messageId: null } : buildMail(mail);
    const client = this.clients[0] ?? (await this.imap());
    const result = await client.append(folder, built.raw);
    if (!result || result.uid === undefined) throw new Error(`APPEND to ${folder} returned no UID`);
    return { messageId: built.messageId, uid: result.uid };
  }

  inboundOf(externalId: string): EnvelopeOf<typeof Topics.inboundMessage>[] {
    return this.inbound.filter((envelope) => envelope.data.externalId === externalId);
  }

  inboundMessage(externalId: string, timeoutMs = 30_000): Promise<InboundMessage> {
    return waitFor(() => this.inboundOf(externalId)[0]?.data, {
      timeoutMs,
      description: `inbound message ${externalId} on Kafka`,
    });
  }

  /**
   * Waits until everything appended to the folder so far is on Kafka and recorded: a sentinel mail is appended and
   * awaited until the checkpoint passes it (mails are published a window of UIDs at a time, not strictly in order, and
   * the checkpoint passes a window once all of it is published), then a second one: it is published after all of
   * them and, from the same customer, on the same partition, so it is recorded after them.
   */
  async drain(folder: string, from = `Joao Araujo <${CUSTOMER}>`): Promise<void> {
    const { messageId, uid } = await this.append(folder, { from, subject: 'sentinel' });
    await this.inboundMessage(messageId as string, 45_000);
    // Mails are published a window of UIDs at a time, not strictly in order: the checkpoint passes the sentinel only
    // once every mail of its window, hence every mail before it, is published.
    const suffix = `/${folder}`;
    await waitFor(
      async () =>
        (
          await this.db
            .collection<{ _id: string; lastUid: number }>('email_mailbox_checkpoints')
            .find()
            .toArray()
        ).some((checkpoint) => checkpoint._id.endsWith(suffix) && checkpoint.lastUid >= uid),
      { timeoutMs: 45_000, description: `the checkpoint of ${folder} past UID ${uid}` },
    );
    const last = await this.append(folder, { from, subject: 'sentinel' });
    await this.inboundMessage(last.messageId as string, 45_000);
  }

  async outbound(overrides: Partial<OutboundMessage> = {}): Promise<OutboundMessage> {
    const data = buildOutboundMessage({
      channel: 'email',
      channelAccountId: 'support@acme.test',
      to: { address: CUSTOMER, displayName: 'João Araújo' },
      content: { text: 'Olá João, corrigimos a fatura.' },
      ...overrides,
    });
    await this.republish(data);
    return data;
  }

  async republish(data: OutboundMessage): Promise<void> {
    const envelope = createEnvelope(Topics.outbound.email, data, {
      source: '/ponte/router',
      tenantId: TENANT,
    });
    await this.bus.publish(Topics.outbound.email, envelope, { key: messageKey(Topics.outbound.email, data) });
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

  async stop(): Promise<void> {
    await this.stopService().catch(() => undefined);
    for (const client of this.clients) await client.logout().catch(() => client.close());
    if (this.recorder.isRunning()) await this.recorder.stop();
    await this.bus.disconnect();
    await this.smtp.stop();
    await this.dovecot.stop();
    await this.db.dropDatabase().catch(() => undefined);
    await this.mongo.close();
  }
}
