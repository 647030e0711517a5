import { createHash } from 'node:crypto';

/** Longer ids are kept by their hash in `externalId` (the contract's identifier limit is 256). */
const EXTERNAL_ID_MAX = 200;
const HEADER_MAX = 998;

/**
 * A Message-ID as Ponte compares it: without angle brackets, whitespace or comments, lower-cased. Mail clients and
 * gateways rewrite the case of ids and fold long References lines, so the raw strings of one id differ across mails.
 * Returns undefined for an empty or absurd value.
 */
export function normalizeMessageId(raw: string | undefined | null): string | undefined {
  if (!raw) return undefined;
  const bracketed = /<([^<>]*)>/.exec(raw);
  const id = (bracketed ? bracketed[1] : raw)?.replace(/\s+/g, '').toLowerCase();
  // eslint-disable-next-line no-control-regex -- a header value with control characters is not an id
  if (!id || id.length > HEADER_MAX || /[\u0000-\u001f\u007f]/.test(id)) return undefined;
  return id;
}

/** Every Message-ID of a References / In-Reply-To header (or of mailparser's already split list), normalized, deduplicated. */
export function parseMessageIdList(raw: string | readonly string[] | undefined | null): string[] {
  if (!raw) return [];
  const text = typeof raw === 'string' ? raw : raw.join(' ');
  const bracketed = [...text.matchAll(/<([^<>]*)>/g)].map((match) => match[1]);
  const candidates = bracketed.length > 0 ? bracketed : text.split(/[\s,]+/);
  const ids: string[] = [];
  for (const candidate of candidates) {
    const id = normalizeMessageId(candidate);
    if (id && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** The header form of a normalized id. */
export function formatMessageId(id: string): string {
  return `<${id}>`;
}

/** The contract's `externalId` of a mail: its normalized Message-ID, or a hash of it when it is too long. */
export function externalIdOf(messageId: string): string {
  if (messageId.length <= EXTERNAL_ID_MAX) return messageId;
  return `sha256:${createHash('sha256').update(messageId).digest('hex')}`;
}

export interface SyntheticIdSource {
  from?: string;
  to?: readonly string[];
  cc?: readonly string[];
  date?: string;
  subject?: string;
  text?: string;
  html?: string;
  attachmentChecksums?: readonly string[];
}

/**
 * A stable id for a mail without Message-ID, from what the sender wrote (not from transport headers such as
 * Received, which differ between two deliveries of the same mail): the same mail delivered twice gets the same id.
 */
export function syntheticMessageId(source: SyntheticIdSource): string {
  const hash = createHash('sha256');
  for (const part of [
    source.from ?? '',
    (source.to ?? []).join(','),
    (source.cc ?? []).join(','),
    source.date ?? '',
    source.subject ?? '',
    source.text ?? '',
    source.html ?? '',
    (source.attachmentChecksums ?? []).join(','),
  ]) {
    hash.update(part).update('\u0000');
  }
  return `${hash.digest('hex').slice(0, 40)}@synthetic.ponte.invalid`;
}

/** A short, storage-safe key derived from a Message-ID, for blob ids and the like. */
export function idDigest(messageId: string): string {
  return createHash('sha256').update(messageId).digest('hex').slice(0, 32);
}
