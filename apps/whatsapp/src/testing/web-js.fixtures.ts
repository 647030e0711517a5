import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WebMedia, WebMessage } from '../web-js/web-client.port';

/** Our number in the fixtures, and the session the tests configure for it. */
export const OUR_WID = '5511999990000@c.us';

export const WEB_FIXTURES = [
  'text',
  'image-with-caption',
  'audio-ptt',
  'video',
  'document',
  'location',
  'vcard',
  'quoted-reply',
  'from-me-echo',
  'from-me-phone',
  'lid-sender',
  'br-legacy-number',
  'group',
  'edited',
  'revoked',
  'status-broadcast',
] as const;
export type WebFixtureName = (typeof WEB_FIXTURES)[number];

export const WEB_FIXTURES_DIRECTORY = join(__dirname, '..', 'web-js', 'fixtures');

/** A fixture as stored: whatsapp-web.js `Message` serialized (its fields, then `_data`, the model they come from). */
export function webFixtureJson(
  name: WebFixtureName,
): Record<string, unknown> & { _data: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(WEB_FIXTURES_DIRECTORY, `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  > & {
    _data: Record<string, unknown>;
  };
}

export interface WebMessageBehaviour {
  /** What `downloadMedia()` answers (undefined: the media is gone); an Error is thrown. */
  media?: WebMedia | Error;
  /** What `getQuotedMessage()` answers; an Error is thrown (the lookup through the browser failed). */
  quoted?: WebMessage | Error;
  /** A fresh message id (the `id` part), for tests that need a message no earlier test published. */
  id?: string;
}

/** A fixture as the message object whatsapp-web.js hands to listeners, with its two lookups played by the test. */
export function webMessage(name: WebFixtureName, behaviour: WebMessageBehaviour = {}): WebMessage {
  const json = webFixtureJson(name);
  const message = (behaviour.id ? withId(json, behaviour.id) : json) as unknown as WebMessage;
  return withLookups(message, behaviour);
}

export function withLookups(
  message: WebMessage,
  behaviour: Pick<WebMessageBehaviour, 'media' | 'quoted'>,
): WebMessage {
  return Object.assign(message, {
    downloadMedia: async () => {
      if (behaviour.media instanceof Error) throw behaviour.media;
      return behaviour.media;
    },
    getQuotedMessage: async () => {
      if (behaviour.quoted instanceof Error) throw behaviour.quoted;
      return behaviour.quoted;
    },
  });
}

/** A random message id in WhatsApp Web's own format (`3EB0` + 16 hex digits). */
export function webMessageId(): string {
  return `3EB0${randomBytes(8).toString('hex').toUpperCase()}`;
}

/** The same message under another id: `id`, `_serialized` and the model's `id` move together. */
function withId(
  json: Record<string, unknown> & { _data: Record<string, unknown> },
  id: string,
): Record<string, unknown> {
  const current = json['id'] as { id: string; _serialized: string };
  const next = { ...current, id, _serialized: current._serialized.replace(current.id, id) };
  return { ...json, id: next, _data: { ...json._data, id: next } };
}

/** A copy of a message as another session's echo of `text` sent to `chat` (what sendMessage resolves with). */
export function echoOf(
  chatId: string,
  text: string,
  id = webMessageId(),
  media?: { caption?: string },
): WebMessage {
  const json = webFixtureJson('from-me-echo');
  const key = { fromMe: true, remote: chatId, id, _serialized: `true_${chatId}_${id}` };
  const body = media ? (media.caption ?? '') : text;
  const message = {
    ...json,
    id: key,
    to: chatId,
    body,
    timestamp: Math.floor(Date.now() / 1000),
    ...(media ? { type: 'image', hasMedia: true } : {}),
    _data: { ...json._data, id: key, to: chatId, body, t: Math.floor(Date.now() / 1000) },
  } as unknown as WebMessage;
  return withLookups(message, {});
}
