export type MediaRejectionReason =
  | 'origin-not-allowed'
  | 'redirect-not-allowed'
  | 'too-many-redirects'
  | 'too-large'
  | 'type-not-allowed'
  | 'http-error'
  | 'network-error';

export type MediaFetchResult =
  | { ok: true; bytes: Buffer; contentType: string }
  | { ok: false; reason: MediaRejectionReason; detail: string };

export interface MediaFetchPolicy {
  /** Origins (`https://api.twilio.com`) the first URL and every redirect hop must be on. */
  allowedOrigins: readonly string[];
  /** Media types (`image/jpeg`, `audio/*`). */
  allowedTypes: readonly string[];
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  /**
   * An `Authorization` header value (HTTP Basic for Twilio, a bearer token for Graph), sent only to these origins,
   * never to another host a redirect points at.
   */
  credentials?: { origins: readonly string[]; authorization: string };
}

export interface MediaFetchOptions {
  /** The type the provider announced, used when the response has none. */
  declaredType?: string;
  /** A limit tighter than the policy's (WhatsApp's per-kind limits); the policy's is never exceeded. */
  maxBytes?: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Downloads a provider's media without becoming an SSRF proxy: only allow-listed origins, redirects followed by hand
 * and each hop checked, the size bounded while streaming (a lying Content-Length does not help) and the type checked
 * against what the server actually answered.
 */
export class MediaFetcher {
  private readonly origins: ReadonlySet<string>;
  private readonly credentialOrigins: ReadonlySet<string>;

  constructor(private readonly policy: MediaFetchPolicy) {
    this.origins = new Set(policy.allowedOrigins.map((origin) => new URL(origin).origin));
    this.credentialOrigins = new Set(
      (policy.credentials?.origins ?? []).map((origin) => new URL(origin).origin),
    );
  }

  async fetch(url: string, options: MediaFetchOptions = {}): Promise<MediaFetchResult> {
    const maxBytes = Math.min(options.maxBytes ?? this.policy.maxBytes, this.policy.maxBytes);
    const signal = AbortSignal.timeout(this.policy.timeoutMs);
    let current: URL;
    try {
      current = new URL(url);
    } catch {
      return { ok: false, reason: 'origin-not-allowed', detail: 'not an absolute URL' };
    }
    if (!this.origins.has(current.origin)) {
      return {
        ok: false,
        reason: 'origin-not-allowed',
        detail: `${current.origin} is not an allowed media origin`,
      };
    }
    try {
      for (let hop = 0; ; hop++) {
        const response = await fetch(current, {
          redirect: 'manual',
          signal,
          headers: this.headersFor(current),
        });
        if (REDIRECT_STATUSES.has(response.status)) {
          await response.body?.cancel();
          const location = response.headers.get('location');
          if (!location)
            return { ok: false, reason: 'http-error', detail: `HTTP ${response.status} without Location` };
          if (hop >= this.policy.maxRedirects) {
            return {
              ok: false,
              reason: 'too-many-redirects',
              detail: `more than ${this.policy.maxRedirects} redirects`,
            };
          }
          const next = new URL(location, current);
          if (!this.origins.has(next.origin)) {
            return {
              ok: false,
              reason: 'redirect-not-allowed',
              detail: `redirect to ${next.origin} refused`,
            };
          }
          current = next;
          continue;
        }
        return await this.accept(response, options.declaredType, maxBytes);
      }
    } catch (error) {
      return {
        ok: false,
        reason: 'network-error',
        detail: error instanceof Error ? error.message : String(error),
      };
    }
  }

  private headersFor(url: URL): Record<string, string> {
    const credentials = this.policy.credentials;
    if (!credentials || !this.credentialOrigins.has(url.origin)) return {};
    return { authorization: credentials.authorization };
  }

  private async accept(
    response: Response,
    declaredType: string | undefined,
    maxBytes: number,
  ): Promise<MediaFetchResult> {
    if (!response.ok) {
      await response.body?.cancel();
      return { ok: false, reason: 'http-error', detail: `HTTP ${response.status}` };
    }
    const contentType = mediaTypeOf(response.headers.get('content-type') ?? declaredType ?? '');
    if (!this.isAllowedType(contentType)) {
      await response.body?.cancel();
      return {
        ok: false,
        reason: 'type-not-allowed',
        detail: `${contentType || 'no type'} is not an allowed media type`,
      };
    }
    const declaredLength = Number(response.headers.get('content-length') ?? NaN);
    if (declaredLength > maxBytes) {
      await response.body?.cancel();
      return { ok: false, reason: 'too-large', detail: tooLarge(declaredLength, maxBytes) };
    }
    const parts: Buffer[] = [];
    let size = 0;
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) {
          await reader.cancel();
          return { ok: false, reason: 'too-large', detail: tooLarge(size, maxBytes) };
        }
        parts.push(Buffer.from(value));
      }
    }
    return { ok: true, bytes: Buffer.concat(parts), contentType };
  }

  isAllowedType(contentType: string): boolean {
    if (!contentType) return false;
    const [type] = contentType.split('/');
    return this.policy.allowedTypes.some(
      (allowed) => allowed === contentType || (allowed.endsWith('/*') && allowed === `${type}/*`),
    );
  }
}

/** `image/JPEG; charset=…` → `image/jpeg`. */
export function mediaTypeOf(header: string): string {
  return (header.split(';')[0] ?? '').trim().toLowerCase();
}

export function tooLarge(size: number, max: number): string {
  return `${size} bytes exceed the ${max}-byte limit`;
}
