import { randomBytes } from 'node:crypto';
// The webhooks module alone: the package's entry loads the whole REST client (about 0.1 s per test file).
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import type { RecordedTwilioSend } from './fake-twilio.server';

export interface TwilioAccountOptions {
  accountSid?: string;
  authToken?: string;
  /** What Twilio is configured to call (the sms service's SMS_PUBLIC_BASE_URL); signatures are computed over it. */
  publicBaseUrl?: string;
}

export interface TwilioWebhookOptions {
  /** Sent instead of the valid signature; `null` sends no `X-Twilio-Signature` at all. */
  signature?: string | null;
  headers?: Record<string, string>;
  /** Sent instead of the form-encoded `params` (the signature still covers `params`). */
  body?: string;
}

export interface TwilioWebhookResponse {
  status: number;
  body: string;
  contentType: string | undefined;
}

/**
 * A Twilio account as a test plays it: its credentials, the public URL Twilio calls (deliberately not where the
 * service listens, as behind a proxy), and webhooks sent and signed the way Twilio sends and signs them.
 */
export class TwilioAccount {
  readonly accountSid: string;
  readonly authToken: string;
  readonly publicBaseUrl: string;

  constructor(options: TwilioAccountOptions = {}) {
    this.accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
    this.authToken = options.authToken ?? randomBytes(16).toString('hex');
    this.publicBaseUrl = options.publicBaseUrl ?? 'https://ponte.example.com/sms';
  }

  /** `X-Twilio-Signature` of a request to `url` (the full public URL) with these form parameters. */
  sign(url: string, params: Record<string, string>): string {
    return signTwilioWebhook(this.authToken, url, params);
  }

  /**
   * POSTs a webhook to the service listening at `serviceUrl` the way Twilio does: form-encoded, signed over the
   * public URL of `pathAndQuery` and the parameters.
   */
  async webhook(
    serviceUrl: string,
    pathAndQuery: string,
    params: Record<string, string>,
    options: TwilioWebhookOptions = {},
  ): Promise<TwilioWebhookResponse> {
    const signature =
      options.signature === undefined
        ? this.sign(`${this.publicBaseUrl}${pathAndQuery}`, params)
        : options.signature;
    const response = await fetch(`${serviceUrl}${pathAndQuery}`, {
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

  /** An inbound SMS webhook with the parameters Twilio documents for incoming messages, to this account. */
  inboundSms(overrides: Record<string, string> = {}): Record<string, string> {
    const sid = overrides['MessageSid'] ?? twilioMessageSid();
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
      To: '+5511999990000',
      ToZip: '',
      NumSegments: '1',
      MessageSid: sid,
      AccountSid: this.accountSid,
      From: '+5511987654321',
      ApiVersion: '2010-04-01',
      ...overrides,
    };
  }

  /** Where a send asked Twilio to report its statuses, as a path and query under the public base URL. */
  statusCallbackPath(send: RecordedTwilioSend): string {
    const callback = send.params['StatusCallback'];
    if (!callback?.startsWith(`${this.publicBaseUrl}/`)) {
      throw new Error(`the send to ${send.params['To']} has no StatusCallback under ${this.publicBaseUrl}`);
    }
    return callback.slice(this.publicBaseUrl.length);
  }

  /** A status callback of a message sent through the fake (Twilio's documented StatusCallback parameters). */
  statusCallback(send: RecordedTwilioSend, status: string): Record<string, string> {
    return {
      SmsSid: send.sid,
      SmsStatus: status,
      MessageStatus: status,
      To: send.params['To'] ?? '',
      MessageSid: send.sid,
      AccountSid: this.accountSid,
      From: send.params['From'] ?? '',
      ApiVersion: '2010-04-01',
    };
  }
}

/** `X-Twilio-Signature` as Twilio computes it (HMAC-SHA1 of the URL and the sorted form parameters). */
export function signTwilioWebhook(authToken: string, url: string, params: Record<string, string>): string {
  return getExpectedTwilioSignature(authToken, url, params);
}

/** A MessageSid shaped like Twilio's: `SM` and 32 hex digits. */
export function twilioMessageSid(): string {
  return `SM${randomBytes(16).toString('hex')}`;
}
