/**
 * Messenger Platform and Instagram messaging webhooks shaped as Meta documents them
 * (https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages, message-echoes,
 * message-deliveries, message-reads, message-edits; https://developers.facebook.com/docs/instagram-platform/webhooks
 * "messages", "messaging_seen"): `object`, `entry[].id/time/messaging[]`, `sender.id`, `recipient.id`, millisecond
 * timestamps, `mid`s like Meta's. Each builder gives a fresh mid unless told.
 */
import { randomBytes } from 'node:crypto';

export type JsonObject = Record<string, unknown>;

let nextPsid = 6_100_000_000_000_000 + Math.floor(Math.random() * 1_000_000_000);

/** A fresh PSID / IGSID (Meta's page-scoped ids are 16-17 digits), so tests do not share customers. */
export function customerId(): string {
  return String(nextPsid++);
}

/** A Messenger mid (`m_` + base64url) or an Instagram one (base64 of an IG message id). */
export function messengerMid(): string {
  return `m_${randomBytes(30).toString('base64url')}`;
}

export function instagramMid(): string {
  return `aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx${randomBytes(24).toString('base64url')}`;
}

/** A webhook of one object (`page` or `instagram`) carrying these events for one account. */
export function webhook(
  object: 'page' | 'instagram',
  accountId: string,
  ...events: JsonObject[]
): JsonObject {
  return { object, entry: [{ id: accountId, time: Date.now(), messaging: events }] };
}

/** A customer's message (Messenger `messages`, Instagram `messages`). */
export function messageEvent(
  accountId: string,
  from: string,
  message: JsonObject,
  timestamp = Date.now(),
): JsonObject {
  return { sender: { id: from }, recipient: { id: accountId }, timestamp, message };
}

export function textMessage(text: string, mid = messengerMid()): JsonObject {
  return { mid, text };
}

/** Messenger `message_echoes` / Instagram echoes: the business's own message, sender and recipient swapped. */
export function echoEvent(
  accountId: string,
  to: string,
  mid: string,
  text: string,
  timestamp = Date.now(),
): JsonObject {
  return {
    sender: { id: accountId },
    recipient: { id: to },
    timestamp,
    message: { mid, text, is_echo: true, app_id: 1517776481860111, metadata: 'ponte' },
  };
}

/** Messenger `message_deliveries`. */
export function deliveryEvent(
  accountId: string,
  from: string,
  mids: string[],
  watermark = Date.now(),
): JsonObject {
  return { sender: { id: from }, recipient: { id: accountId }, delivery: { mids, watermark } };
}

/** Messenger `message_reads`: everything sent before the watermark was read. */
export function readEvent(accountId: string, from: string, watermark = Date.now()): JsonObject {
  return { sender: { id: from }, recipient: { id: accountId }, timestamp: Date.now(), read: { watermark } };
}

/** Instagram `messaging_seen`: the mid read. */
export function instagramSeenEvent(accountId: string, from: string, mid: string): JsonObject {
  return { sender: { id: from }, recipient: { id: accountId }, timestamp: Date.now(), read: { mid } };
}

/** `message_edits`. */
export function editEvent(
  accountId: string,
  from: string,
  mid: string,
  text: string,
  numEdit = 1,
): JsonObject {
  return {
    sender: { id: from },
    recipient: { id: accountId },
    timestamp: Date.now(),
    message_edit: { mid, text, num_edit: numEdit },
  };
}
