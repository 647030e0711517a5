import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getExpectedTwilioSignature } from 'twilio';

/*
 * Twilio played by a local server, and webhooks signed the way Twilio signs them. A trimmed copy of
 * apps/sms/src/testing/fake-twilio.server.ts and sms.harness.ts (the e2e project may not import an app's files):
 * Messages create only, no media.
 */

/** A Messages create request as the fake received it (form fields decoded). */
export interface RecordedTwilioSend {
  accountSid: string;
  params: Record<string, string>;
  authorized: boolean;
  /** The MessageSid the fake answered with. */
  sid: string;
}

/**
 * Twilio's REST API as far as sending goes, with Twilio's wire format: `POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json` (form-encoded, Basic auth) answered with a queued Message resource.
 */
export class FakeTwilioServer {
  readonly sends: RecordedTwilioSend[] = [];
  private readonly server: Server;
  private port = 0;

  private constructor(
    readonly accountSid: string,
    private readonly authToken: string,
  ) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    });
  }

  static async start(accountSid: string, authToken: string): Promise<FakeTwilioServer> {
    const fake = new FakeTwilioServer(accountSid, authToken);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  sendsTo(to: string): RecordedTwilioSend[] {
    return this.sends.filter((send) => send.params['To'] === to);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const create = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (request.method !== 'POST' || !create) {
      return json(response, 404, twilioError(20404, `The requested resource ${path} was not found`, 404));
    }
    const authorized =
      request.headers.authorization ===
      `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    const params = Object.fromEntries(new URLSearchParams(await readBody(request)));
    const sid = `SM${randomBytes(16).toString('hex')}`;
    this.sends.push({ accountSid: create[1] ?? '', params, authorized, sid });
    if (!authorized || create[1] !== this.accountSid) {
      return json(response, 401, twilioError(20003, 'Authentication Error - invalid username', 401));
    }
    const now = new Date().toUTCString().replace('GMT', '+0000');
    // Shaped like the Message resource in Twilio's API reference.
    return json(response, 201, {
      account_sid: this.accountSid,
      api_version: '2010-04-01',
      body: params['Body'] ?? '',
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: params['From'] ?? null,
      messaging_service_sid: null,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid,
      status: 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${this.accountSid}/Messages/${sid}/Media.json` },
      to: params['To'],
      uri: `/2010-04-01/Accounts/${this.accountSid}/Messages/${sid}.json`,
    });
  }
}

/** The sms service's Twilio settings for a test: credentials, and a public URL that is not where it listens. */
export class TwilioAccount {
  readonly accountSid = `AC${randomBytes(16).toString('hex')}`;
  readonly authToken = randomBytes(16).toString('hex');
  /** What Twilio is configured to call (SMS_PUBLIC_BASE_URL): signatures are computed over it. */
  readonly publicBaseUrl = 'https://ponte.example.com/sms';

  /** The sms service's environment for this account, sending to `api`. */
  env(api: FakeTwilioServer): Record<string, string> {
    return {
      TWILIO_ACCOUNT_SID: this.accountSid,
      TWILIO_AUTH_TOKEN: this.authToken,
      SMS_PUBLIC_BASE_URL: this.publicBaseUrl,
      TWILIO_API_BASE_URL: api.url,
      SMS_MEDIA_ALLOWED_ORIGINS: api.url,
      SMS_SENDER_MESSAGES_PER_SECOND: '50',
      SMS_SEND_INITIAL_BACKOFF_MS: '50',
      SMS_SEND_MAX_BACKOFF_MS: '200',
    };
  }

  /**
   * POSTs a webhook to the service the way Twilio does: form-encoded, `X-Twilio-Signature` over the public URL of
   * `pathAndQuery` and the parameters. Returns the HTTP status.
   */
  async webhook(serviceUrl: string, pathAndQuery: string, params: Record<string, string>): Promise<number> {
    const signature = getExpectedTwilioSignature(
      this.authToken,
      `${this.publicBaseUrl}${pathAndQuery}`,
      params,
    );
    const response = await fetch(`${serviceUrl}${pathAndQuery}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    await response.text();
    return response.status;
  }

  /** An inbound SMS webhook with the parameters Twilio documents for incoming messages. */
  inboundSms(from: string, to: string, body: string): Record<string, string> {
    const sid = messageSid();
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
      Body: body,
      FromCountry: 'BR',
      To: to,
      ToZip: '',
      NumSegments: '1',
      MessageSid: sid,
      AccountSid: this.accountSid,
      From: from,
      ApiVersion: '2010-04-01',
    };
  }

  /** Where a send asked Twilio to report its statuses, as a path and query of the sms service. */
  statusCallbackPath(send: RecordedTwilioSend): string {
    const callback = send.params['StatusCallback'];
    if (!callback?.startsWith(`${this.publicBaseUrl}/`)) {
      throw new Error(`the send to ${send.params['To']} has no StatusCallback under ${this.publicBaseUrl}`);
    }
    return callback.slice(this.publicBaseUrl.length);
  }

  /** A status callback of a message we sent (Twilio's documented StatusCallback parameters). */
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

export function messageSid(): string {
  return `SM${randomBytes(16).toString('hex')}`;
}

function twilioError(code: number, message: string, status: number): Record<string, unknown> {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
