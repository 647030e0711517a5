import { networkSendFailure, SendFailure } from '@ponte/channel-kit';

export interface GraphSendOptions {
  /** `https://graph.facebook.com` (Messenger) or `https://graph.instagram.com`, or a local server in tests. */
  baseUrl: string;
  version: string;
  timeoutMs: number;
}

/** Graph's answer to `POST /{account-id}/messages`. */
export interface GraphSendResponse {
  recipient_id?: string;
  message_id?: string;
}

/** A file sent by upload (`filedata`) with the Send API. */
export interface GraphUpload {
  bytes: Buffer;
  mediaType: string;
  fileName: string;
}

/** Graph's error body: `{ error: { message, type, code, error_subcode, fbtrace_id } }`. */
interface GraphErrorBody {
  error?: { message?: string; type?: string; code?: number; error_subcode?: number; fbtrace_id?: string };
}

/**
 * Codes with which Meta did not take the message but may later: unknown and service errors (1, 2), rate limits of the
 * app, the user and the page (4, 17, 32, 613), Messenger's send limit (80006) and "temporary send failure" (1200).
 */
export const RETRYABLE_GRAPH_CODES: ReadonlySet<number> = new Set([1, 2, 4, 17, 32, 613, 80006, 1200]);

/** What Meta's frequent Send API refusals mean, for the agent; Meta's code always travels along. */
const SEND_ERRORS: Readonly<Record<string, string>> = {
  '10/2018278': 'Meta refused the message: it is outside the allowed messaging window',
  '10/2534022': 'Meta refused the message: it is outside the allowed messaging window',
  '551':
    'The customer is not available right now (they may have blocked the page or deactivated their account)',
  '100/2018001': 'Meta knows no such customer for this page',
  '100/2018109': 'The attachment could not be uploaded',
  '190': 'The access token expired or was revoked',
  '200': 'The token lacks the permission to send messages',
};

/** The Send API over fetch, with Meta's errors turned into SendFailure. */
export class GraphSendClient {
  constructor(private readonly options: GraphSendOptions) {}

  /** `POST {base}/{version}/{account-id}/messages` with a JSON body. */
  async send(
    accountId: string,
    accessToken: string,
    body: Record<string, unknown>,
  ): Promise<GraphSendResponse> {
    return this.request(accountId, accessToken, JSON.stringify(body), 'application/json');
  }

  /** The same as `multipart/form-data`: the JSON fields as text, the file as `filedata`. */
  async sendFile(
    accountId: string,
    accessToken: string,
    fields: Record<string, unknown>,
    file: GraphUpload,
  ): Promise<GraphSendResponse> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) {
      form.append(name, typeof value === 'string' ? value : JSON.stringify(value));
    }
    form.append('filedata', new Blob([file.bytes], { type: file.mediaType }), file.fileName);
    return this.request(accountId, accessToken, form);
  }

  private async request(
    accountId: string,
    accessToken: string,
    body: string | FormData,
    contentType?: string,
  ): Promise<GraphSendResponse> {
    const url = `${new URL(this.options.baseUrl).origin}/${this.options.version}/${encodeURIComponent(accountId)}/messages`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${accessToken}`,
          ...(contentType ? { 'content-type': contentType } : {}),
        },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
      const networkCode = typeof cause?.code === 'string' ? cause.code : undefined;
      throw networkSendFailure(networkCode, error instanceof Error ? error.message : String(error), 'Graph');
    }
    const text = await response.text().catch(() => '');
    const parsed = parseJson(text);
    if (!response.ok) throw classifyGraphError(response.status, parsed);
    return (parsed ?? {}) as GraphSendResponse;
  }
}

/** A Graph error answer as a SendFailure: retryable on 429, 5xx and throttling codes, permanent with Meta's code. */
export function classifyGraphError(httpStatus: number, body: unknown): SendFailure {
  const error = (body as GraphErrorBody | undefined)?.error;
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const subcode = typeof error?.error_subcode === 'number' ? error.error_subcode : undefined;
  const ponteCode = code === undefined ? `HTTP_${httpStatus}` : String(code);
  const known =
    SEND_ERRORS[subcode === undefined ? ponteCode : `${ponteCode}/${subcode}`] ?? SEND_ERRORS[ponteCode];
  const said = [error?.message, subcode === undefined ? undefined : `subcode ${subcode}`]
    .filter(Boolean)
    .join(', ');
  const message = known ? `${known}${said ? ` (${said})` : ''}` : said || `Graph answered HTTP ${httpStatus}`;
  const retryable =
    httpStatus === 429 || httpStatus >= 500 || (code !== undefined && RETRYABLE_GRAPH_CODES.has(code));
  return new SendFailure(retryable ? 'retryable' : 'permanent', ponteCode, message, httpStatus);
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}
