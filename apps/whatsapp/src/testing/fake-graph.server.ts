import { type MultipartPart, parseMultipart } from '@ponte/testing';
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

/** A `POST /{version}/{phone-number-id}/media` as the fake received it, its multipart body parsed. */
export interface RecordedUpload {
  version: string;
  phoneNumberId: string;
  authorized: boolean;
  /** The text fields (`messaging_product`, `type`). */
  fields: Record<string, string>;
  file?: { fileName: string; contentType?: string; bytes: Buffer };
  /** The HTTP status the fake answered. */
  status: number;
  /** The media id answered, when the upload was taken. */
  mediaId?: string;
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

/** The message types that send a media object (`{ id, caption?, filename? }`). */
const MEDIA_MESSAGE_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);

/**
 * The Graph API as far as the Cloud API integration uses it, on 127.0.0.1 with Meta's wire format: messages send
 * (JSON, bearer token; answer `{messaging_product, contacts:[{input, wa_id}], messages:[{id}]}` or Graph's error
 * `{error:{message, type, code, error_subcode, fbtrace_id}}`; a media message must name an uploaded media id), media
 * upload (`POST /{version}/{phone-number-id}/media`, `multipart/form-data` with `messaging_product`, `type` and `file`,
 * parsed for real; answer `{id}`), media metadata (`GET /{version}/{media-id}`) and the media download (a
 * lookaside-like URL that also wants the bearer token). Uploaded media can be fetched back like received media.
 */
export class FakeGraphServer {
  readonly sends: RecordedSend[] = [];
  readonly uploads: RecordedUpload[] = [];
  /** Requests per path. */
  readonly hits = new Map<string, number>();
  private readonly replies: ScriptedReply[] = [];
  private readonly uploadReplies: ScriptedReply[] = [];
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

  /** The next uploads get these replies, in order; afterwards, 200 with a new media id. */
  replyToUploadsWith(...replies: ScriptedReply[]): void {
    this.uploadReplies.push(...replies);
  }

  /** The uploads whose file had exactly these bytes. */
  uploadsOf(bytes: Buffer): RecordedUpload[] {
    return this.uploads.filter((upload) => upload.file?.bytes.equals(bytes));
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
      const body = JSON.parse((await readBody(request)).toString('utf8')) as Record<string, unknown>;
      this.sends.push({ version: send[1] ?? '', phoneNumberId: send[2] ?? '', body, authorized });
      if (!authorized)
        return json(response, 401, graphError(190, 'Invalid OAuth access token.', 'OAuthException'));
      const type = String(body['type']);
      if (MEDIA_MESSAGE_TYPES.has(type)) {
        const mediaId = (body[type] as { id?: unknown } | undefined)?.id;
        if (typeof mediaId !== 'string' || !this.media.has(mediaId)) {
          return json(
            response,
            400,
            graphError(
              100,
              '(#100) Invalid parameter',
              'OAuthException',
              undefined,
              `Param ${type}['id'] is not a valid whatsapp business account media attachment ID`,
            ),
          );
        }
      }
      const scripted = this.replies.shift();
      if (scripted) return json(response, scripted.status, scripted.body);
      const to = String(body['to']);
      return json(response, 200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: to, wa_id: to.replace(/^\+/, '') }],
        messages: [{ id: wamid() }],
      });
    }
    const upload = /^\/(v\d+\.\d+)\/(\d+)\/media$/.exec(path);
    if (request.method === 'POST' && upload) {
      return this.upload(request, response, upload[1] ?? '', upload[2] ?? '', authorized);
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

  private async upload(
    request: IncomingMessage,
    response: ServerResponse,
    version: string,
    phoneNumberId: string,
    authorized: boolean,
  ): Promise<void> {
    const recorded: RecordedUpload = { version, phoneNumberId, authorized, fields: {}, status: 0 };
    this.uploads.push(recorded);
    const answer = (status: number, body: Record<string, unknown>): void => {
      recorded.status = status;
      json(response, status, body);
    };
    const body = await readBody(request);
    if (!authorized) return answer(401, graphError(190, 'Invalid OAuth access token.', 'OAuthException'));
    let parts: MultipartPart[];
    try {
      parts = parseMultipart(body, request.headers['content-type']);
    } catch (error) {
      return answer(400, graphError(100, `(#100) ${(error as Error).message}`));
    }
    for (const part of parts) {
      if (part.fileName === undefined) recorded.fields[part.name] = part.data.toString('utf8');
      else if (part.name === 'file') {
        recorded.file = {
          fileName: part.fileName,
          bytes: part.data,
          ...(part.contentType ? { contentType: part.contentType } : {}),
        };
      }
    }
    if (recorded.fields['messaging_product'] !== 'whatsapp') {
      return answer(400, graphError(100, '(#100) The parameter messaging_product is required.'));
    }
    if (!recorded.file) return answer(400, graphError(100, '(#100) The parameter file is required.'));
    const type = recorded.fields['type'];
    if (!type) return answer(400, graphError(100, '(#100) The parameter type is required.'));
    const scripted = this.uploadReplies.shift();
    if (scripted) return answer(scripted.status, scripted.body);
    recorded.mediaId = this.addMedia({ bytes: recorded.file.bytes, contentType: type });
    return answer(200, { id: recorded.mediaId });
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

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
