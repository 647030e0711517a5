import { networkSendFailure, SendFailure } from '@ponte/channel-kit';
import { cloudErrorMessage } from './cloud-status.mapper';

export interface GraphApiOptions {
  /** `https://graph.facebook.com`, or a local server in tests. */
  baseUrl: string;
  version: string;
  accessToken: string;
  timeoutMs: number;
  /** Bounds a media upload, which carries up to 100 MB. */
  uploadTimeoutMs: number;
}

/** A file for `POST /{phone-number-id}/media`. */
export interface GraphMediaUpload {
  bytes: Buffer;
  /** The bare media type (`image/jpeg`): Graph's `type` field and the file part's type. */
  mediaType: string;
  fileName: string;
}

/** Graph's answer to `POST /{phone-number-id}/messages`. */
export interface GraphSendResponse {
  messaging_product?: string;
  contacts?: Array<{ input?: string; wa_id?: string }>;
  messages?: Array<{ id?: string; message_status?: string }>;
}

/** Graph's answer to `GET /{media-id}`. */
export interface GraphMediaMetadata {
  url: string;
  mime_type?: string;
  sha256?: string;
  file_size?: number;
  id?: string;
}

/** Graph's error body: `{ error: { message, type, code, error_subcode, error_data, fbtrace_id } }`. */
interface GraphErrorBody {
  error?: {
    message?: string;
    type?: string;
    code?: number;
    error_subcode?: number;
    error_data?: { details?: string };
    fbtrace_id?: string;
  };
}

/** Codes with which Meta did not take the message but may later: throttling and transient server trouble. */
const RETRYABLE_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131056, 133004]);

/** The part of the Graph API the Cloud API uses, over fetch, with Meta's errors turned into SendFailure. */
export class GraphApiClient {
  constructor(private readonly options: GraphApiOptions) {}

  get origin(): string {
    return new URL(this.options.baseUrl).origin;
  }

  get authorization(): string {
    return `Bearer ${this.options.accessToken}`;
  }

  async sendMessage(phoneNumberId: string, body: Record<string, unknown>): Promise<GraphSendResponse> {
    return (await this.request(
      'POST',
      `/${encodeURIComponent(phoneNumberId)}/messages`,
      body,
    )) as GraphSendResponse;
  }

  /**
   * Uploads a file for sending (`multipart/form-data`: `messaging_product=whatsapp`, `type`, `file`) and returns Graph's
   * media id. Nothing reaches the customer by uploading, so a network failure is retryable here (at worst Meta keeps
   * an unused copy, which it deletes after 30 days); Graph's answers are classified as for sends.
   */
  async uploadMedia(phoneNumberId: string, media: GraphMediaUpload): Promise<string> {
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', media.mediaType);
    form.append('file', new Blob([media.bytes], { type: media.mediaType }), media.fileName);
    const answer = (await this.request('POST', `/${encodeURIComponent(phoneNumberId)}/media`, form)) as {
      id?: unknown;
    };
    if (typeof answer.id !== 'string' || !answer.id) {
      throw new SendFailure(
        'retryable',
        'PONTE_MEDIA_UPLOAD_WITHOUT_ID',
        'Graph accepted the upload without a media id',
      );
    }
    return answer.id;
  }

  /** Where a received media item can be downloaded (the URL lives 5 minutes and needs the same bearer token). */
  async mediaMetadata(mediaId: string, phoneNumberId: string): Promise<GraphMediaMetadata> {
    const query = new URLSearchParams({ phone_number_id: phoneNumberId });
    const metadata = (await this.request(
      'GET',
      `/${encodeURIComponent(mediaId)}?${query.toString()}`,
    )) as Partial<GraphMediaMetadata>;
    if (typeof metadata.url !== 'string') {
      throw new SendFailure('permanent', 'PONTE_MEDIA_WITHOUT_URL', `Graph gave no URL for media ${mediaId}`);
    }
    return metadata as GraphMediaMetadata;
  }

  /** JSON in and out; a FormData body goes as `multipart/form-data` (fetch writes the boundary). */
  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const url = `${this.origin}/${this.options.version}${path}`;
    const multipart = body instanceof FormData;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: this.authorization,
          ...(body === undefined || multipart ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: multipart ? body : JSON.stringify(body) }),
        redirect: 'error',
        signal: AbortSignal.timeout(multipart ? this.options.uploadTimeoutMs : this.options.timeoutMs),
      });
    } catch (error) {
      throw multipart ? uploadInterrupted(error) : classifyNetworkError(error);
    }
    const text = await response.text().catch(() => '');
    const parsed = parseJson(text);
    if (!response.ok) throw classifyGraphError(response.status, parsed);
    return parsed ?? {};
  }
}

/** A Graph error answer as a SendFailure: retryable on 429, 5xx and throttling codes, permanent otherwise. */
export function classifyGraphError(httpStatus: number, body: unknown): SendFailure {
  const error = (body as GraphErrorBody | undefined)?.error;
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const details = error?.error_data?.details;
  const metaMessage = [error?.message, details].filter(Boolean).join(': ');
  const ponteCode = code === undefined ? `HTTP_${httpStatus}` : String(code);
  const retryable =
    httpStatus === 429 || httpStatus >= 500 || (code !== undefined && RETRYABLE_CODES.has(code));
  return new SendFailure(
    retryable ? 'retryable' : 'permanent',
    ponteCode,
    cloudErrorMessage(ponteCode, metaMessage || undefined),
    httpStatus,
  );
}

function classifyNetworkError(error: unknown): SendFailure {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const networkCode = typeof cause?.code === 'string' ? cause.code : undefined;
  const description = error instanceof Error ? error.message : String(error);
  return networkSendFailure(networkCode, description, 'Graph');
}

/** An upload without Graph's answer: whatever happened, the customer got nothing, so it is uploaded again. */
function uploadInterrupted(error: unknown): SendFailure {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const networkCode = typeof cause?.code === 'string' ? cause.code : undefined;
  const description = error instanceof Error ? error.message : String(error);
  return new SendFailure(
    'retryable',
    networkCode ? `PONTE_NETWORK_${networkCode}` : 'PONTE_MEDIA_UPLOAD_INTERRUPTED',
    `The upload of the file to Graph got no answer (${networkCode ?? description}); nothing was sent to the customer`,
  );
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}
