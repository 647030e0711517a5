import { BlobStore, type NewBlob } from '@ponte/channel-kit';
import {
  ChannelServiceHarness,
  type ChannelServiceParts,
  channelTestEnvironment,
  startChannelService,
} from '@ponte/channel-kit/testing';
import { type AttachmentRef, buildOutboundMessage, type OutboundMessage, Topics } from '@ponte/contracts';
import { createServiceApp, loadConfig } from '@ponte/platform';
import { randomBytes } from 'node:crypto';
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
export class SmsHarness extends ChannelServiceHarness {
  private constructor(
    parts: ChannelServiceParts,
    readonly twilio: FakeTwilioServer,
    /** Another host, for media that must never be fetched. */
    readonly elsewhere: FakeTwilioServer,
  ) {
    super(parts);
  }

  static async start(options: SmsHarnessOptions = {}): Promise<SmsHarness> {
    const environment = channelTestEnvironment('sms');
    const twilio = await FakeTwilioServer.start(ACCOUNT_SID, AUTH_TOKEN);
    const elsewhere = await FakeTwilioServer.start(ACCOUNT_SID, AUTH_TOKEN);
    const env: Record<string, string> = {
      ...environment.env,
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
    const parts = await startChannelService(environment, () =>
      createServiceApp(smsService, loadConfig(SmsConfig, env, 'sms')),
    );
    return new SmsHarness(parts, twilio, elsewhere);
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

  /** Stores an attachment as the gateway does before the router queues the reply that references it. */
  async putBlob(blob: NewBlob): Promise<AttachmentRef> {
    const stored = await this.app.get(BlobStore).put(blob);
    return {
      blobId: stored.id,
      contentType: stored.contentType,
      size: stored.size,
      ...(stored.fileName ? { fileName: stored.fileName } : {}),
    };
  }

  /**
   * Requests a URL under the public base as Twilio would, from the service's listening address: what the proxy in
   * front of it does (the public base may carry a path prefix the proxy strips).
   */
  fetchPublic(url: string, init?: RequestInit): Promise<Response> {
    if (!url.startsWith(`${PUBLIC_BASE_URL}/`)) throw new Error(`${url} is not under ${PUBLIC_BASE_URL}`);
    return fetch(`${this.url}${url.slice(PUBLIC_BASE_URL.length)}`, init);
  }

  async republish(data: OutboundMessage): Promise<void> {
    const topic = data.channel === 'whatsapp' ? Topics.outbound.whatsapp : Topics.outbound.sms;
    await this.publishAsRouter(topic, data, TENANT);
  }

  protected async stopFakes(): Promise<void> {
    await this.twilio.stop();
    await this.elsewhere.stop();
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
