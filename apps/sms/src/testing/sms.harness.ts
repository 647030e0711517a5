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
import { testKafkaBrokers, testMongoUrl, uniqueName, waitFor } from '@ponte/testing';
import { randomBytes } from 'node:crypto';
import { type Db, MongoClient } from 'mongodb';
import { getExpectedTwilioSignature } from 'twilio';
import { SmsConfig } from '../config/sms.config';
import { smsService } from '../sms.definition';
import { FakeTwilioServer } from './fake-twilio.server';

export const TENANT = 'tenant-test';
export const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
export const AUTH_TOKEN = randomBytes(16).toString('hex');
/** What Twilio is configured to call: deliberately not the address the test server listens on. */
export const PUBLIC_BASE_URL = 'https://ponte.example.com/sms';
/** Our Twilio long code. */
export const OUR_NUMBER = '+5511999990000';

export interface WebhookResponse {
  status: number;
  body: string;
  contentType: string | undefined;
}

export interface SmsHarnessOptions {
  env?: Record<string, string>;
  /** Boot without Twilio settings (the "not configured" mode of `npm start`). */
  withoutTwilio?: boolean;
}

/**
 * The real sms service (its Nest app, its Kafka consumer) on private topics and a private database, Twilio played by
 * a local server speaking its REST API, and a recorder of what the service published.
 */
export class SmsHarness {
  private constructor(
    readonly inbound: EnvelopeOf<typeof Topics.inboundMessage>[],
    readonly statuses: EnvelopeOf<typeof Topics.deliveryStatus>[],
    readonly twilio: FakeTwilioServer,
    /** Another host, for media that must never be fetched. */
    readonly elsewhere: FakeTwilioServer,
    readonly db: Db,
    private readonly mongo: MongoClient,
    private readonly bus: MessageBus,
    private readonly recorder: ConsumerRunner<TopicName>,
    readonly app: NestFastifyApplication,
    readonly url: string,
  ) {}

  static async start(options: SmsHarnessOptions = {}): Promise<SmsHarness> {
    const prefix = `${uniqueName('sms')}.`;
    const brokers = testKafkaBrokers();
    const mongoUrl = testMongoUrl(uniqueName('sms'));
    const twilio = await FakeTwilioServer.start(ACCOUNT_SID, AUTH_TOKEN);
    const elsewhere = await FakeTwilioServer.start(ACCOUNT_SID, AUTH_TOKEN);
    const env: Record<string, string> = {
      KAFKA_BROKERS: brokers,
      MONGO_URL: mongoUrl,
      KAFKA_TOPIC_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      PORT: '0',
      SMS_TENANT_ID: TENANT,
      ...(options.withoutTwilio
        ? {}
        : {
            TWILIO_ACCOUNT_SID: ACCOUNT_SID,
            TWILIO_AUTH_TOKEN: AUTH_TOKEN,
            SMS_PUBLIC_BASE_URL: PUBLIC_BASE_URL,
          }),
      TWILIO_API_BASE_URL: twilio.url,
      SMS_MEDIA_ALLOWED_ORIGINS: twilio.url,
      SMS_MEDIA_MAX_BYTES: String(64 * 1024),
      SMS_SENDER_MESSAGES_PER_SECOND: '50',
      SMS_SEND_INITIAL_BACKOFF_MS: '50',
      SMS_SEND_MAX_BACKOFF_MS: '200',
      ...options.env,
    };
    const messaging: MessagingOptions = {
      clientId: 'sms-test',
      brokers: brokers.split(','),
      topicPrefix: prefix,
      logLevel: 'nothing',
    };
    const mongo = await new MongoClient(mongoUrl).connect();
    const app = await createServiceApp(smsService, loadConfig(SmsConfig, env, 'sms'));
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const inbound: EnvelopeOf<typeof Topics.inboundMessage>[] = [];
    const statuses: EnvelopeOf<typeof Topics.deliveryStatus>[] = [];
    const recorder = new ConsumerRunner<TopicName>(messaging, {
      groupId: uniqueName('recorder'),
      topics: [Topics.inboundMessage, Topics.deliveryStatus],
      handleMessage: async (message) => {
        if (message.topic === Topics.inboundMessage) inbound.push(message.envelope);
        else if (message.topic === Topics.deliveryStatus) statuses.push(message.envelope);
      },
    });
    await recorder.start();
    return new SmsHarness(
      inbound,
      statuses,
      twilio,
      elsewhere,
      mongo.db(),
      mongo,
      new MessageBus(messaging),
      recorder,
      app,
      url,
    );
  }

  /** POSTs a webhook the way Twilio does: form-encoded, signed over the public URL and the parameters. */
  async webhook(
    path: string,
    params: Record<string, string>,
    options: { signature?: string | null; headers?: Record<string, string>; body?: string } = {},
  ): Promise<WebhookResponse> {
    const signature =
      options.signature === undefined ? sign(`${PUBLIC_BASE_URL}${path}`, params) : options.signature;
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature === null ? {} : { 'x-twilio-signature': signature }),
        ...options.headers,
      },
      body: options.body ?? new URLSearchParams(params).toString(),
    });
    return {
      status: response.status,
      body: await response.text(),
      contentType: response.headers.get('content-type') ?? undefined,
    };
  }

  /** Publishes an outbound message as the router does (defaults: an SMS from our number). */
  async outbound(overrides: Partial<OutboundMessage> = {}): Promise<OutboundMessage> {
    const data = buildOutboundMessage({
      channel: 'sms',
      channelAccountId: OUR_NUMBER,
      to: { address: '+5511987654321' },
      ...overrides,
    });
    await this.republish(data);
    return data;
  }

  async republish(data: OutboundMessage): Promise<void> {
    const topic = data.channel === 'whatsapp' ? Topics.outbound.whatsapp : Topics.outbound.sms;
    const envelope = createEnvelope(topic, data, { source: '/ponte/router', tenantId: TENANT });
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

  async stop(): Promise<void> {
    await this.app.close();
    await this.recorder.stop();
    await this.bus.disconnect();
    await this.twilio.stop();
    await this.elsewhere.stop();
    await this.db.dropDatabase();
    await this.mongo.close();
  }
}

export function sign(url: string, params: Record<string, string>, authToken = AUTH_TOKEN): string {
  return getExpectedTwilioSignature(authToken, url, params);
}

export function messageSid(): string {
  return `SM${randomBytes(16).toString('hex')}`;
}

/** An inbound SMS webhook with the parameters Twilio documents for incoming messages. */
export function inboundSmsParams(overrides: Record<string, string> = {}): Record<string, string> {
  const sid = overrides['MessageSid'] ?? messageSid();
  return {
    ToCountry: 'BR',
    ToState: 'SP',
    SmsMessageSid: sid,
    NumMedia: '0',
    ToCity: 'SAO PAULO',
    FromZip: '',
    SmsSid: sid,
    FromState: 'SP',
    SmsStatus: 'received',
    FromCity: 'SAO PAULO',
    Body: 'Olá, minha fatura veio errada',
    FromCountry: 'BR',
    To: OUR_NUMBER,
    ToZip: '',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: ACCOUNT_SID,
    From: '+5511987654321',
    ApiVersion: '2010-04-01',
    ...overrides,
  };
}
