import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** The service's route serving outbound media: `GET {SMS_PUBLIC_BASE_URL}/media/{token}`. */
export const MEDIA_ROUTE = 'media';

/** Bound into every signature, so a token of another format or purpose never verifies as this one. */
const TOKEN_VERSION = 'sms-media-url.v1';
const KEY_SALT = 'ponte/sms';
const KEY_INFO = 'media-url signing key v1';
const SIGNATURE_BYTES = 32;
const ENCODED = /^[A-Za-z0-9_-]+$/;
const EXPIRY = /^[0-9]{1,12}$/;

/**
 * The HMAC key of media URLs, derived with HKDF-SHA256 from SMS_MEDIA_URL_SECRET or, by default, TWILIO_AUTH_TOKEN:
 * the auth token itself never signs anything but Twilio's requests, and a leaked media URL says nothing about it.
 */
export function mediaUrlKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, KEY_SALT, KEY_INFO, 32));
}

export interface MediaUrlSignerOptions {
  key: Buffer;
  /** SMS_PUBLIC_BASE_URL; without it the service sends nothing, so no URL is ever asked for. */
  publicBaseUrl?: string;
  ttlSeconds: number;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

export interface SignedMediaUrl {
  url: string;
  expiresAt: Date;
}

export interface VerifiedMediaToken {
  blobId: string;
  expiresAt: Date;
  /** Whole seconds until the token expires: the longest anyone may cache what it serves. */
  secondsLeft: number;
}

/**
 * Media URLs Twilio can fetch without credentials: `{blob id}.{expiry}.{HMAC-SHA256}`, each part base64url or
 * decimal. Whoever holds a URL can fetch that one blob until it expires, and nothing else; the sender mints them,
 * only for the attachments of a message it is sending. Nothing is stored: any instance sharing the key verifies.
 */
export class MediaUrlSigner {
  private readonly now: () => number;

  constructor(private readonly options: MediaUrlSignerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A URL for the blob, valid for the configured time from now. */
  urlFor(blobId: string): SignedMediaUrl {
    const { publicBaseUrl, ttlSeconds } = this.options;
    if (!publicBaseUrl) throw new Error('media URLs need SMS_PUBLIC_BASE_URL');
    const expiresAt = new Date((Math.floor(this.now() / 1000) + ttlSeconds) * 1000);
    return { url: `${publicBaseUrl}/${MEDIA_ROUTE}/${this.tokenFor(blobId, expiresAt)}`, expiresAt };
  }

  tokenFor(blobId: string, expiresAt: Date): string {
    const signed = `${Buffer.from(blobId, 'utf8').toString('base64url')}.${Math.floor(expiresAt.getTime() / 1000)}`;
    return `${signed}.${this.signatureOf(signed).toString('base64url')}`;
  }

  /** The token's blob, or undefined when the token is malformed, not ours, altered or expired (no reason given). */
  verify(token: string): VerifiedMediaToken | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [encodedBlobId = '', expiry = '', signature = ''] = parts;
    if (!ENCODED.test(encodedBlobId) || !EXPIRY.test(expiry) || !ENCODED.test(signature)) return undefined;
    const given = Buffer.from(signature, 'base64url');
    // Only the canonical encoding: its last character has spare bits, which would otherwise give one signature many
    // spellings. Both lengths are public (an HMAC-SHA256 is 32 bytes), so checking them first leaks nothing.
    if (given.length !== SIGNATURE_BYTES || given.toString('base64url') !== signature) return undefined;
    if (!timingSafeEqual(given, this.signatureOf(`${encodedBlobId}.${expiry}`))) return undefined;
    const expiresAtMs = Number(expiry) * 1000;
    const msLeft = expiresAtMs - this.now();
    if (msLeft <= 0) return undefined;
    return {
      blobId: Buffer.from(encodedBlobId, 'base64url').toString('utf8'),
      expiresAt: new Date(expiresAtMs),
      secondsLeft: Math.floor(msLeft / 1000),
    };
  }

  private signatureOf(signed: string): Buffer {
    return createHmac('sha256', this.options.key).update(`${TOKEN_VERSION}.${signed}`).digest();
  }
}
