/**
 * The Messenger Platform and Instagram messaging webhooks as Meta documents them (`object: page` /
 * `object: instagram`, `entry[].messaging[]`). Only what Ponte reads is typed, everything optional: a tolerant reader
 * survives Meta adding or omitting fields.
 */
export interface MetaWebhookPayload {
  object?: string;
  entry?: MetaWebhookEntry[];
}

export interface MetaWebhookEntry {
  /** The page id, or the Instagram account id. */
  id?: string;
  time?: number;
  messaging?: MessagingEvent[];
}

export interface MetaAttachment {
  /** `image`, `video`, `audio`, `file`, and others (`fallback`, `template`, `share`, `story_mention`, `ig_reel`…). */
  type?: string;
  payload?: { url?: string; title?: string; sticker_id?: number } | null;
  title?: string;
}

export interface MetaMessage {
  mid?: string;
  text?: string;
  is_echo?: boolean;
  /** Instagram: the customer unsent the message. */
  is_deleted?: boolean;
  app_id?: number;
  metadata?: string;
  attachments?: MetaAttachment[];
  reply_to?: { mid?: string; story?: { url?: string; id?: string } };
  quick_reply?: { payload?: string };
}

export interface MessagingEvent {
  sender?: { id?: string };
  recipient?: { id?: string };
  /** Milliseconds since the epoch. */
  timestamp?: number;
  message?: MetaMessage;
  /** Messenger `message_deliveries`. */
  delivery?: { mids?: string[]; watermark?: number };
  /** Messenger `message_reads` (watermark); Instagram `messaging_seen` (mid). */
  read?: { watermark?: number; mid?: string };
  /** `message_edits`: the message's new text and how many times it was edited. */
  message_edit?: { mid?: string; text?: string; num_edit?: number };
}

/** A messaging event with the account (entry) it arrived for. */
export interface AccountEvent {
  accountId: string;
  event: MessagingEvent;
}

/** Every messaging event of the webhook, in Meta's order, with its entry's account id. */
export function messagingEventsOf(payload: MetaWebhookPayload): AccountEvent[] {
  const entries = Array.isArray(payload.entry) ? payload.entry : [];
  return entries.flatMap((entry) => {
    if (!isRecord(entry) || !Array.isArray(entry.messaging)) return [];
    const accountId = entry.id === undefined || entry.id === null ? '' : String(entry.id);
    return entry.messaging.filter(isRecord).map((event) => ({ accountId, event: event as MessagingEvent }));
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
