import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A `POST /{version}/{phone-number-id}/messages` as the fake received it. */
export interface RecordedSend {
  version: string;
  phoneNumberId: string;
  body: Record<string, unknown>;
  authorized: boolean;
}

export interface ScriptedReply {
  status: number;
  body: Record<string, unknown>;
}

interface MediaItem {
  bytes: Buffer;
  contentType: string;
  /** Overrides what the metadata claims (a lying Graph, for the checksum and size checks). */
  sha256?: string;
  fileSize?: number;
  /** Where the metadata says the bytes are; by default this server's lookaside-like path. */
  url?: string;
}

/**
 * The Graph API as far as the Cloud API integration uses it, on 127.0.0.1 with Meta's wire format: messages send
 * (JSON, bearer token; answer `{messaging_product, contacts:[{input, wa_id}], messages:[{id}]}` or Graph's error
 * `{error:{message, type, code, error_subcode, fbtrace_id}}`), media metadata (`GET /{version}/{media-id}`) and the
 * media download (a lookaside-like URL that also wants the bearer token).
 */
export class FakeGraphServer {
  readonly sends: RecordedSend[] = [];
  /** Requests per path. */
  readonly hits = new Map<string, number>();
  private readonly replies: ScriptedReply[] = [];
  private readonly media = new Map<string, MediaItem>();
  private readonly server: Server;
  private port = 0;

  private constructor(private readonly accessToken: string) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    });
  }

  static async start(accessToken: string): Promise<FakeGraphServer> {
    const fake = new FakeGraphServer(accessToken);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The next sends get these replies, in order; afterwards, 200 with a new wamid. */
  replyWith(...replies: ScriptedReply[]): void {
    this.replies.push(...replies);
  }

  /** Registers a media item and returns its media id. */
  addMedia(item: MediaItem): string {
    const id = String(10 ** 15 + Math.floor(Math.random() * 10 ** 15));
    this.media.set(id, item);
    return id;
  }

  sendsTo(to: string): RecordedSend[] {
    return this.sends.filter((send) => send.body['to'] === to);
  }

  hitsOf(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  downloadPath(mediaId: string): string {
    return `/whatsapp_business/attachments/${mediaId}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    const authorized = request.headers.authorization === `Bearer ${this.accessToken}`;
    const send = /^\/(v\d+\.\d+)\/(\d+)\/messages$/.exec(path);
    if (request.method === 'POST' && send) {
      const body = JSON.parse(await readBody(request)) as Record<string, unknown>;
      this.sends.push({ version: send[1] ?? '', phoneNumberId: send[2] ?? '', body, authorized });
      if (!authorized)
        return json(response, 401, graphError(190, 'Invalid OAuth access token.', 'OAuthException'));
      const scripted = this.replies.shift();
      if (scripted) return json(response, scripted.status, scripted.body);
      const to = String(body['to']);
      return json(response, 200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: to, wa_id: to.replace(/^\+/, '') }],
        messages: [{ id: wamid() }],
      });
    }
    const metadata = /^\/(v\d+\.\d+)\/(\d+)$/.exec(path);
    if (request.method === 'GET' && metadata) {
      const item = this.media.get(metadata[2] ?? '');
      if (!authorized)
        return json(response, 401, graphError(190, 'Invalid OAuth access token.', 'OAuthException'));
      if (!item) {
        return json(response, 400, graphError(100, 'Unsupported get request.', 'GraphMethodException', 33));
      }
      return json(response, 200, {
        messaging_product: 'whatsapp',
        url: item.url ?? `${this.url}${this.downloadPath(metadata[2] ?? '')}`,
        mime_type: item.contentType,
        sha256: item.sha256 ?? createHash('sha256').update(item.bytes).digest('hex'),
        file_size: item.fileSize ?? item.bytes.length,
        id: metadata[2],
      });
    }
    const download = /^\/whatsapp_business\/attachments\/(\d+)$/.exec(path);
    if (request.method === 'GET' && download) {
      const item = this.media.get(download[1] ?? '');
      if (!authorized)
        return json(response, 401, graphError(190, 'Invalid OAuth access token.', 'OAuthException'));
      if (!item) return json(response, 404, graphError(100, 'Not found', 'GraphMethodException'));
      response.writeHead(200, { 'content-type': item.contentType, 'content-length': item.bytes.length });
      return void response.end(item.bytes);
    }
    return json(response, 404, graphError(100, `Unknown path ${path}`, 'GraphMethodException'));
  }
}

/** Graph's error body, as Meta documents it. */
export function graphError(
  code: number,
  message: string,
  type = 'OAuthException',
  subcode?: number,
  details?: string,
): Record<string, unknown> {
  return {
    error: {
      message,
      type,
      code,
      ...(subcode === undefined ? {} : { error_subcode: subcode }),
      ...(details === undefined ? {} : { error_data: { messaging_product: 'whatsapp', details } }),
      fbtrace_id: `A${randomBytes(10).toString('base64url')}`,
    },
  };
}

/** Shaped like Meta's message ids. */
export function wamid(): string {
  return `wamid.${Buffer.from(`HBgNNTUxMTk4NzY1NDMyMRUCABEYEj${randomBytes(12).toString('hex')}`).toString('base64')}`;
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
