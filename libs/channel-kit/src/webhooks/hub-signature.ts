import { BadRequestException, ForbiddenException } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256=';

/** `X-Hub-Signature-256` of a body: `sha256=` + the hex HMAC-SHA256 of the raw bytes with the app secret. */
export function hubSignature(appSecret: string, rawBody: Buffer | string): string {
  return `${PREFIX}${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/**
 * Whether `header` is Meta's signature of exactly these bytes. Compared in constant time; anything malformed
 * (missing, another algorithm, wrong length, not hex) is simply not valid.
 */
export function isValidHubSignature(appSecret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith(PREFIX)) return false;
  const given = header.slice(PREFIX.length);
  if (!/^[0-9a-fA-F]{64}$/.test(given)) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}

/** The verify token of the subscription challenge, compared in constant time too. */
export function isSameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface VerifiedMetaBody<P> {
  payload: P;
  /** The body as received, kept as the raw payload of what it carries. */
  rawBody: Buffer;
}

/**
 * The check every Meta webhook (WhatsApp Cloud API, Messenger, Instagram) gets before anything is read or stored:
 * `X-Hub-Signature-256` must be the HMAC-SHA256 of the raw body (the bytes as received, never a re-serialization)
 * with the app secret — otherwise 403 — and the JSON object is parsed from those same bytes (otherwise 400).
 */
export function verifyMetaWebhook<P extends object>(
  appSecret: string,
  rawBody: Buffer | undefined,
  header: string | string[] | undefined,
): VerifiedMetaBody<P> {
  const signature = Array.isArray(header) ? header[0] : header;
  const body = rawBody ?? Buffer.alloc(0);
  if (!isValidHubSignature(appSecret, body, signature)) {
    throw new ForbiddenException('invalid X-Hub-Signature-256');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequestException('the webhook body is not JSON');
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new BadRequestException('the webhook body is not an object');
  }
  return { payload: payload as P, rawBody: body };
}

/**
 * Meta's subscription check (`GET` on a webhook URL): `hub.mode=subscribe` with our verify token gets `hub.challenge`
 * back as the answer's body; anything else is 403.
 */
export function answerMetaChallenge(query: Record<string, unknown>, verifyToken: string): string {
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (
    query['hub.mode'] !== 'subscribe' ||
    typeof token !== 'string' ||
    typeof challenge !== 'string' ||
    !isSameSecret(token, verifyToken)
  ) {
    throw new ForbiddenException('verification failed');
  }
  return challenge;
}
