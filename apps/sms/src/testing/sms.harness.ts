import { BlobStore, type NewBlob } from '@ponte/channel-kit';
import {
  ChannelServiceHarness,
  type ChannelServiceParts,
  channelTestEnvironment,
  startChannelService,
} from '@ponte/channel-kit/testing';
import { type AttachmentRef, buildOutboundMessage, type OutboundMessage, Topics } from '@ponte/contracts';
import { createServiceApp, loadConfig } from '@ponte/platform';
import {
  FakeTwilioServer,
  signTwilioWebhook,
  TwilioAccount,
  type TwilioWebhookOptions,
  type TwilioWebhookResponse,
} from '@ponte/testing';
import { SmsConfig } from '../config/sms.config';
import { smsService } from '../sms.definition';

export const TENANT = 'tenant-test';
/** The tests' Twilio account; its public base URL is deliberately not the address the test server listens on. */
export const TWILIO_ACCOUNT = new TwilioAccount();
export const ACCOUNT_SID = TWILIO_ACCOUNT.accountSid;
export const AUTH_TOKEN = TWILIO_ACCOUNT.authToken;
/** What Twilio is configured to call. */
export const PUBLIC_BASE_URL = TWILIO_ACCOUNT.publicBaseUrl;
/** Our Twilio long code. */
export const OUR_NUMBER = '+5511999990000';

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
  webhook(
    path: string,
    params: Record<string, string>,
    options: TwilioWebhookOptions = {},
  ): Promise<TwilioWebhookResponse> {
    return TWILIO_ACCOUNT.webhook(this.url, path, params, options);
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

/** `X-Twilio-Signature` for `url` (by default made with the tests' auth token). */
export function sign(url: string, params: Record<string, string>, authToken = AUTH_TOKEN): string {
  return signTwilioWebhook(authToken, url, params);
}

/** An inbound SMS webhook to our number with the parameters Twilio documents for incoming messages. */
export function inboundSmsParams(overrides: Record<string, string> = {}): Record<string, string> {
  return TWILIO_ACCOUNT.inboundSms({ To: OUR_NUMBER, ...overrides });
}
