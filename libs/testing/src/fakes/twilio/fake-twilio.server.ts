import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeHttpServer, readRequestBody, sendJson } from '../fake-http.server';
import { twilioMessageSid } from './twilio-account';

/** A Messages create request as the fake received it (form fields decoded). */
export interface RecordedTwilioSend {
  accountSid: string;
  /** The last value of each field; repeated fields (MediaUrl) are in full below. */
  params: Record<string, string>;
  /** Every `MediaUrl`, in order. */
  mediaUrls: string[];
  authorized: boolean;
  /** The MessageSid of this request: the `sid` of the Message resource the fake answers with unless a reply is scripted. */
  sid: string;
}

export interface ScriptedTwilioReply {
  status: number;
  body: Record<string, unknown>;
}

export type TwilioMediaRoute =
  | { kind: 'bytes'; contentType: string; bytes: Buffer; chunked?: boolean; requireAuth?: boolean }
  | { kind: 'redirect'; location: string; status?: number };

/**
 * Twilio's REST API as far as Ponte uses it, on 127.0.0.1 with Twilio's wire format: Messages create
 * (`POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded, Basic auth, JSON reply or Twilio's error
 * JSON `{code, message, more_info, status}`) and media URLs (bytes or redirects). Also serves as "another host".
 */
export class FakeTwilioServer extends FakeHttpServer {
  readonly sends: RecordedTwilioSend[] = [];
  /** Requests per path, media included. */
  readonly hits = new Map<string, number>();
  private readonly replies: ScriptedTwilioReply[] = [];
  private readonly media = new Map<string, TwilioMediaRoute>();

  private constructor(
    readonly accountSid: string,
    private readonly authToken: string,
  ) {
    super();
  }

  static async start(accountSid: string, authToken: string): Promise<FakeTwilioServer> {
    const fake = new FakeTwilioServer(accountSid, authToken);
    await fake.listen();
    return fake;
  }

  /** The next Messages create requests get these replies, in order; afterwards, 201 with a queued message. */
  replyWith(...replies: ScriptedTwilioReply[]): void {
    this.replies.push(...replies);
  }

  serveMedia(path: string, route: TwilioMediaRoute): string {
    this.media.set(path, route);
    return `${this.url}${path}`;
  }

  /** A media path shaped like Twilio's. */
  mediaPath(messageSid: string): string {
    return `/2010-04-01/Accounts/${this.accountSid}/Messages/${messageSid}/Media/ME${randomBytes(16).toString('hex')}`;
  }

  hitsOf(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  sendsTo(to: string): RecordedTwilioSend[] {
    return this.sends.filter((send) => send.params['To'] === to);
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    const authorized = request.headers.authorization === basic(this.accountSid, this.authToken);
    const create = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (request.method === 'POST' && create) {
      const form = new URLSearchParams(await readRequestBody(request));
      const params = Object.fromEntries(form);
      const mediaUrls = form.getAll('MediaUrl');
      const sid = twilioMessageSid();
      this.sends.push({ accountSid: create[1] ?? '', params, mediaUrls, authorized, sid });
      if (!authorized || create[1] !== this.accountSid) {
        return sendJson(response, 401, twilioError(20003, 'Authentication Error - invalid username', 401));
      }
      const scripted = this.replies.shift();
      if (scripted) return sendJson(response, scripted.status, scripted.body);
      return sendJson(response, 201, this.messageResource(sid, params, mediaUrls.length));
    }
    const route = this.media.get(path);
    if (request.method === 'GET' && route) {
      if (route.kind === 'redirect') {
        response.writeHead(route.status ?? 307, { location: route.location });
        return void response.end();
      }
      if (route.requireAuth && !authorized)
        return sendJson(response, 401, twilioError(20003, 'Authenticate', 401));
      if (route.chunked) {
        response.writeHead(200, { 'content-type': route.contentType });
        const half = Math.floor(route.bytes.length / 2);
        response.write(route.bytes.subarray(0, half));
        return void response.end(route.bytes.subarray(half));
      }
      response.writeHead(200, { 'content-type': route.contentType, 'content-length': route.bytes.length });
      return void response.end(route.bytes);
    }
    return sendJson(response, 404, twilioError(20404, `The requested resource ${path} was not found`, 404));
  }

  /** Shaped like the Message resource in Twilio's API reference. */
  private messageResource(
    sid: string,
    params: Record<string, string>,
    numMedia: number,
  ): Record<string, unknown> {
    const now = new Date().toUTCString().replace('GMT', '+0000');
    return {
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
      messaging_service_sid: params['MessagingServiceSid'] ?? null,
      num_media: String(numMedia),
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid,
      status: params['MessagingServiceSid'] ? 'accepted' : 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${this.accountSid}/Messages/${sid}/Media.json` },
      to: params['To'],
      uri: `/2010-04-01/Accounts/${this.accountSid}/Messages/${sid}.json`,
    };
  }
}

/** Twilio's error body, as documented: `{ code, message, more_info, status }`. */
export function twilioError(code: number, message: string, status: number): Record<string, unknown> {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
