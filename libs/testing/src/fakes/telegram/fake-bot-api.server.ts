import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { FakeHttpServer, sendJson } from '../fake-http.server';
import { parseMultipart } from '../multipart';

/** A bot the fake knows: requests under `/bot{token}/` are its. */
export interface FakeTelegramBot {
  token: string;
  username: string;
}

/** A file upload of sendPhoto / sendDocument, as the fake parsed it from the multipart body. */
export interface RecordedBotApiUpload {
  field: string;
  fileName?: string;
  contentType?: string;
  bytes: Buffer;
}

/** A Bot API request as the fake received it. */
export interface RecordedBotApiCall {
  method: string;
  /** The bot's numeric id (the token's prefix). */
  botId: number;
  /** The parameters, from the query, a JSON, form or multipart body; JSON-serialized ones parsed. */
  params: Record<string, unknown>;
  upload?: RecordedBotApiUpload;
  /** The HTTP status the fake answered. */
  status: number;
  /** When it arrived (ms since the epoch). */
  at: number;
}

/** Telegram's error answer (https://core.telegram.org/bots/api#making-requests); its HTTP status is `error_code`. */
export interface BotApiError {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

interface StoredFile {
  bytes: Buffer;
  filePath: string;
  /** What the file server answers as Content-Type. */
  contentType: string;
  /** What getFile claims, when it should differ from the bytes. */
  fileSize?: number;
  /** getFile answers without file_path. */
  noPath?: boolean;
}

const SEND_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendDocument']);

/**
 * The Bot API as the telegram service uses it, on 127.0.0.1 with Telegram's wire format: `/bot{token}/{method}` taking
 * parameters in the query string or a JSON, urlencoded or multipart body and answering `{ok: true, result}` or
 * `{ok: false, error_code, description, parameters?}` with that HTTP status; getMe, getFile and the file download
 * (`/file/bot{token}/{file_path}`), sendMessage, sendPhoto and sendDocument (multipart uploads parsed for real,
 * answering the sent Message), setWebhook / deleteWebhook, and getUpdates with its offset confirmation and long
 * polling. Errors can be scripted per method (403 blocked, 429 with `retry_after`…).
 */
export class FakeBotApiServer extends FakeHttpServer {
  readonly calls: RecordedBotApiCall[] = [];
  /** Requests per path (file downloads included). */
  readonly hits = new Map<string, number>();
  /** The offsets getUpdates was called with, per bot token, in order. */
  readonly offsets = new Map<string, Array<number | undefined>>();
  private readonly bots = new Map<string, FakeTelegramBot>();
  private readonly files = new Map<string, StoredFile>();
  private readonly scripted = new Map<string, BotApiError[]>();
  private readonly nextMessageId = new Map<string, number>();
  private readonly updates = new Map<string, Array<{ update_id: number }>>();
  private stopped = false;

  private constructor() {
    super();
  }

  static async start(bots: FakeTelegramBot[]): Promise<FakeBotApiServer> {
    const fake = new FakeBotApiServer();
    for (const bot of bots) fake.bots.set(bot.token, bot);
    await fake.listen();
    return fake;
  }

  override async stop(): Promise<void> {
    this.stopped = true;
    await super.stop();
  }

  /** The next calls of `method` fail with these answers, in order. */
  failNext(method: string, ...errors: BotApiError[]): void {
    this.scripted.set(method, [...(this.scripted.get(method) ?? []), ...errors]);
  }

  /** A file the bot can getFile and download, as one a customer sent; returns what a message carries of it. */
  addFile(
    bytes: Buffer,
    options: { contentType: string; filePath?: string; fileSize?: number; noPath?: boolean },
  ): { file_id: string; file_unique_id: string; file_size: number } {
    const fileId = `AgACAgEAAxkBAAI${randomBytes(18).toString('base64url')}`;
    this.files.set(fileId, {
      bytes,
      contentType: options.contentType,
      filePath: options.filePath ?? `documents/file_${this.files.size}.bin`,
      ...(options.fileSize === undefined ? {} : { fileSize: options.fileSize }),
      ...(options.noPath ? { noPath: true } : {}),
    });
    return {
      file_id: fileId,
      file_unique_id: `AQAD${randomBytes(8).toString('base64url')}`,
      file_size: options.fileSize ?? bytes.length,
    };
  }

  /** Updates for the bot's getUpdates (polling), in the order given. */
  pushUpdates(token: string, ...updates: Array<{ update_id: number }>): void {
    this.updates.set(token, [...(this.updates.get(token) ?? []), ...updates]);
  }

  offsetsOf(token: string): Array<number | undefined> {
    return this.offsets.get(token) ?? [];
  }

  callsOf(method: string): RecordedBotApiCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** The sends (sendMessage, sendPhoto, sendDocument) to a chat. */
  sendsTo(chatId: string): RecordedBotApiCall[] {
    return this.calls.filter(
      (call) => SEND_METHODS.has(call.method) && String(call.params['chat_id']) === chatId,
    );
  }

  downloadPath(token: string, filePath: string): string {
    return `/file/bot${token}/${filePath}`;
  }

  hitsOf(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    this.hits.set(url.pathname, (this.hits.get(url.pathname) ?? 0) + 1);
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (request.method === 'GET' && download)
      return this.download(response, download[1] ?? '', download[2] ?? '');
    const call = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!call) return sendJson(response, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token = '', method = ''] = call;
    const body = await readBody(request);
    const bot = this.bots.get(token);
    const recorded: RecordedBotApiCall = {
      method,
      botId: Number(token.split(':')[0]),
      params: Object.fromEntries(url.searchParams),
      status: 0,
      at: Date.now(),
    };
    this.calls.push(recorded);
    const answer = (status: number, payload: Record<string, unknown>): void => {
      recorded.status = status;
      sendJson(response, status, payload);
    };
    const fail = (error: BotApiError): void => answer(error.error_code, { ok: false, ...error });
    if (!bot) return fail({ error_code: 401, description: 'Unauthorized' });
    try {
      this.readParams(recorded, body, request.headers['content-type']);
    } catch (error) {
      return fail({ error_code: 400, description: `Bad Request: ${(error as Error).message}` });
    }
    const scripted = this.scripted.get(method)?.shift();
    if (scripted) return fail(scripted);
    const ok = (result: unknown): void => answer(200, { ok: true, result });
    switch (method) {
      case 'getMe':
        return ok({
          id: recorded.botId,
          is_bot: true,
          first_name: bot.username,
          username: bot.username,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        });
      case 'getFile': {
        const fileId = String(recorded.params['file_id'] ?? '');
        const file = this.files.get(fileId);
        if (!file) return fail({ error_code: 400, description: 'Bad Request: invalid file_id' });
        return ok({
          file_id: fileId,
          file_unique_id: `AQAD${fileId.slice(-8)}`,
          file_size: file.fileSize ?? file.bytes.length,
          ...(file.noPath ? {} : { file_path: file.filePath }),
        });
      }
      case 'sendMessage':
        if (!String(recorded.params['text'] ?? '').trim()) {
          return fail({ error_code: 400, description: 'Bad Request: message text is empty' });
        }
        return ok(this.message(bot, recorded, { text: String(recorded.params['text']) }));
      case 'sendPhoto':
      case 'sendDocument': {
        const field = method === 'sendPhoto' ? 'photo' : 'document';
        if (recorded.upload?.field !== field) {
          return fail({ error_code: 400, description: `Bad Request: there is no ${field} in the request` });
        }
        const sent = this.addFile(recorded.upload.bytes, { contentType: 'application/octet-stream' });
        const caption = recorded.params['caption'];
        const media =
          field === 'photo'
            ? { photo: [{ ...sent, width: 1280, height: 960 }] }
            : { document: { ...sent, file_name: recorded.upload.fileName } };
        return ok(this.message(bot, recorded, { ...media, ...(caption ? { caption } : {}) }));
      }
      case 'setWebhook':
      case 'deleteWebhook':
        return ok(true);
      case 'getUpdates':
        return ok(await this.pendingUpdates(token, recorded.params));
      default:
        return fail({ error_code: 404, description: 'Not Found' });
    }
  }

  private readParams(recorded: RecordedBotApiCall, body: Buffer, contentType: string | undefined): void {
    const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
    if (body.length === 0) return;
    if (type === 'application/json') {
      Object.assign(recorded.params, JSON.parse(body.toString('utf8')) as Record<string, unknown>);
    } else if (type === 'application/x-www-form-urlencoded') {
      Object.assign(recorded.params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
    } else if (type === 'multipart/form-data') {
      for (const part of parseMultipart(body, contentType)) {
        if (part.fileName === undefined) {
          recorded.params[part.name] = parseJsonField(part.data.toString('utf8'));
        } else {
          recorded.upload = {
            field: part.name,
            fileName: part.fileName,
            bytes: part.data,
            ...(part.contentType ? { contentType: part.contentType } : {}),
          };
        }
      }
    } else {
      throw new Error(`unsupported content type ${type}`);
    }
  }

  private message(
    bot: FakeTelegramBot,
    call: RecordedBotApiCall,
    content: Record<string, unknown>,
  ): Record<string, unknown> {
    const chatId = Number(call.params['chat_id']);
    const messageId = (this.nextMessageId.get(String(chatId)) ?? 100) + 1;
    this.nextMessageId.set(String(chatId), messageId);
    const reply = call.params['reply_parameters'] as { message_id?: number } | undefined;
    return {
      message_id: messageId,
      from: { id: call.botId, is_bot: true, first_name: bot.username, username: bot.username },
      chat: chatId < 0 ? { id: chatId, title: 'Grupo', type: 'supergroup' } : { id: chatId, type: 'private' },
      date: Math.floor(Date.now() / 1000),
      ...(reply?.message_id === undefined
        ? {}
        : { reply_to_message: { message_id: reply.message_id, chat: { id: chatId }, date: 0 } }),
      ...content,
    };
  }

  /** Confirms what is below the offset, then answers what is left, waiting up to `timeout` seconds for some. */
  private async pendingUpdates(token: string, params: Record<string, unknown>): Promise<unknown[]> {
    const offset = params['offset'] === undefined ? undefined : Number(params['offset']);
    this.offsets.set(token, [...this.offsetsOf(token), offset]);
    const pending = (): Array<{ update_id: number }> => this.updates.get(token) ?? [];
    if (offset !== undefined)
      this.updates.set(
        token,
        pending().filter((update) => update.update_id >= offset),
      );
    const deadline = Date.now() + Number(params['timeout'] ?? 0) * 1_000;
    while (pending().length === 0 && Date.now() < deadline && !this.stopped) await delay(20);
    return pending().slice(0, Number(params['limit'] ?? 100));
  }

  private download(response: ServerResponse, token: string, filePath: string): void {
    const file = this.bots.has(token)
      ? [...this.files.values()].find((item) => item.filePath === filePath)
      : undefined;
    if (!file) return sendJson(response, 404, { ok: false, error_code: 404, description: 'Not Found' });
    response.writeHead(200, { 'content-type': file.contentType, 'content-length': file.bytes.length });
    response.end(file.bytes);
  }
}

/** Multipart fields carry JSON-serialized objects (reply_parameters…) as text. */
function parseJsonField(text: string): unknown {
  if (!text.startsWith('{') && !text.startsWith('[')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** The error answers of the Bot API the tests use, as Telegram words them. */
export const BotApiErrors = {
  blocked: (): BotApiError => ({ error_code: 403, description: 'Forbidden: bot was blocked by the user' }),
  chatNotFound: (): BotApiError => ({ error_code: 400, description: 'Bad Request: chat not found' }),
  cannotInitiate: (): BotApiError => ({
    error_code: 403,
    description: "Forbidden: bot can't initiate conversation with a user",
  }),
  tooManyRequests: (retryAfter: number): BotApiError => ({
    error_code: 429,
    description: `Too Many Requests: retry after ${retryAfter}`,
    parameters: { retry_after: retryAfter },
  }),
  badGateway: (): BotApiError => ({ error_code: 502, description: 'Bad Gateway' }),
} as const;
