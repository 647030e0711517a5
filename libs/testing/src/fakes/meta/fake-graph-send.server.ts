import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeHttpServer, sendJson } from '../fake-http.server';
import { parseMultipart } from '../multipart';

/** A Send API request as the fake received it. */
export interface RecordedGraphSend {
  /** The page or Instagram account id of the path. */
  accountId: string;
  version: string;
  /** The fields, from a JSON or multipart body; JSON-serialized multipart fields parsed. */
  body: Record<string, unknown>;
  upload?: { fileName?: string; contentType?: string; bytes: Buffer };
  /** The HTTP status the fake answered, and the mid it gave. */
  status: number;
  messageId?: string;
}

/** Graph's error answer. */
export interface GraphSendError {
  status: number;
  error: { message: string; type: string; code: number; error_subcode?: number; fbtrace_id: string };
}

/**
 * The Graph Send API as the social service uses it, on 127.0.0.1 with Meta's wire format: `POST /{version}/{id}/messages`
 * with a bearer token that must be the account's, a JSON or `multipart/form-data` body (`filedata` parsed for real),
 * answering `{recipient_id, message_id}` or Graph's `{error: {message, type, code, error_subcode, fbtrace_id}}`.
 * It also serves files as Meta's CDN does (`GET /cdn/...`), for inbound attachments.
 */
export class FakeGraphSendServer extends FakeHttpServer {
  readonly sends: RecordedGraphSend[] = [];
  private readonly tokens = new Map<string, string>();
  private readonly scripted: GraphSendError[] = [];
  private readonly files = new Map<string, { bytes: Buffer; contentType: string }>();

  private constructor() {
    super();
  }

  static async start(accounts: Array<{ id: string; accessToken: string }>): Promise<FakeGraphSendServer> {
    const fake = new FakeGraphSendServer();
    for (const account of accounts) fake.tokens.set(account.id, account.accessToken);
    await fake.listen();
    return fake;
  }

  /** The next sends fail with these answers, in order. */
  failNext(...errors: GraphSendError[]): void {
    this.scripted.push(...errors);
  }

  /** A file on the fake CDN; returns its URL. */
  addFile(name: string, bytes: Buffer, contentType: string): string {
    this.files.set(`/cdn/${name}`, { bytes, contentType });
    return `${this.url}/cdn/${name}`;
  }

  sendsTo(customerId: string): RecordedGraphSend[] {
    return this.sends.filter(
      (send) => (send.body['recipient'] as { id?: string } | undefined)?.id === customerId,
    );
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const file = this.files.get(url.pathname);
    if (request.method === 'GET' && file) {
      response.writeHead(200, { 'content-type': file.contentType, 'content-length': file.bytes.length });
      response.end(file.bytes);
      return;
    }
    const route = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/.exec(url.pathname);
    if (request.method !== 'POST' || !route) {
      return sendJson(response, 404, graphSendError(404, 'Unknown path', 803).error);
    }
    const [, version = '', encodedId = ''] = route;
    const accountId = decodeURIComponent(encodedId);
    const recorded: RecordedGraphSend = { accountId, version, body: {}, status: 0 };
    this.sends.push(recorded);
    const answer = (status: number, body: unknown): void => {
      recorded.status = status;
      sendJson(response, status, body);
    };
    const bytes = await readBody(request);
    const authorization = request.headers['authorization'];
    if (authorization !== `Bearer ${this.tokens.get(accountId) ?? '-'}`) {
      const invalid = graphSendError(400, 'Invalid OAuth access token - Cannot parse access token', 190);
      return answer(invalid.status, { error: invalid.error });
    }
    try {
      this.readBody(recorded, bytes, request.headers['content-type']);
    } catch (error) {
      const bad = graphSendError(400, `(#100) ${(error as Error).message}`, 100);
      return answer(bad.status, { error: bad.error });
    }
    const scripted = this.scripted.shift();
    if (scripted) return answer(scripted.status, { error: scripted.error });
    const recipient = recorded.body['recipient'] as { id?: string } | undefined;
    const message = recorded.body['message'] as { text?: string; attachment?: unknown } | undefined;
    if (!recipient?.id || (!message?.text && !message?.attachment)) {
      const bad = graphSendError(400, '(#100) The parameter recipient or message is required', 100);
      return answer(bad.status, { error: bad.error });
    }
    recorded.messageId = `m_${randomBytes(24).toString('base64url')}`;
    return answer(200, { recipient_id: recipient.id, message_id: recorded.messageId });
  }

  private readBody(recorded: RecordedGraphSend, body: Buffer, contentType: string | undefined): void {
    const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
    if (type === 'application/json') {
      recorded.body = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      return;
    }
    if (type !== 'multipart/form-data') throw new Error(`unsupported content type ${type}`);
    for (const part of parseMultipart(body, contentType)) {
      if (part.fileName === undefined) {
        const text = part.data.toString('utf8');
        recorded.body[part.name] = text.startsWith('{') ? (JSON.parse(text) as unknown) : text;
      } else if (part.name === 'filedata') {
        recorded.upload = {
          fileName: part.fileName,
          bytes: part.data,
          ...(part.contentType ? { contentType: part.contentType } : {}),
        };
      }
    }
  }
}

export function graphSendError(
  status: number,
  message: string,
  code: number,
  subcode?: number,
): GraphSendError {
  return {
    status,
    error: {
      message,
      type: 'OAuthException',
      code,
      ...(subcode === undefined ? {} : { error_subcode: subcode }),
      fbtrace_id: `A${randomBytes(10).toString('base64url')}`,
    },
  };
}

/** The errors of the Send API the tests use, as Meta words them. */
export const GraphSendErrors = {
  tooManyCalls: (): GraphSendError => graphSendError(429, '(#4) Application request limit reached', 4),
  pageLimit: (): GraphSendError => graphSendError(400, '(#32) Page request limit reached', 32),
  unavailable: (): GraphSendError =>
    graphSendError(400, '(#551) This person isn’t available right now.', 551, 1545041),
  outsideWindow: (): GraphSendError =>
    graphSendError(
      400,
      '(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview',
      10,
      2018278,
    ),
} as const;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
