/**
 * The few parts of whatsapp-web.js this service uses, as an interface of our own: the real adapter
 * (whatsapp-web-js.client.ts) wraps the library's Client, and tests drive the service with a fake client emitting
 * message objects shaped exactly like the library's (fixtures/). Names and shapes follow whatsapp-web.js 1.34.7.
 */

/** whatsapp-web.js `MessageId`: `_serialized` is `{fromMe}_{remote}_{id}` (plus `_{participant}` in groups). */
export interface WebMessageId {
  fromMe: boolean;
  /** The chat: `5511987654321@c.us`, `118127463583871@lid`, `120363025555555555@g.us`, `status@broadcast`. */
  remote: string;
  id: string;
  participant?: string | { _serialized: string };
  _serialized: string;
}

/** The message model as WhatsApp Web serializes it (`Message._data`): what the library's fields are derived from. */
export interface WebMessageData {
  /** The sender's profile name ("push name"). */
  notifyName?: string;
  /** Media size in bytes, known before downloading. */
  size?: number;
  mimetype?: string;
  filename?: string;
  caption?: string;
  /** The quoted message as the chat shows it (type, body or caption). */
  quotedMsg?: { type?: string; body?: string; caption?: string } | null;
  /** The quoted message's own id (`MessageId.id`), its author and, when it is in another chat, that chat. */
  quotedStanzaID?: string;
  quotedParticipant?: string | { _serialized: string };
  quotedRemoteJid?: string | { _serialized: string };
  isLive?: boolean;
  [field: string]: unknown;
}

/** `MessageMedia`: the bytes base64-encoded. */
export interface WebMedia {
  mimetype: string;
  data: string;
  filename?: string | null;
  filesize?: number | null;
}

/** The fields of whatsapp-web.js `Message` this service reads, and the two lookups it makes through the browser. */
export interface WebMessage {
  id: WebMessageId;
  ack: number;
  hasMedia: boolean;
  /** The text, or the caption of a media message. */
  body: string;
  type: string;
  /** Unix seconds, by the sender's clock. */
  timestamp: number;
  from: string;
  to: string;
  /** The participant who wrote a group message. */
  author?: string;
  deviceType?: string;
  isForwarded?: boolean;
  isStatus?: boolean;
  broadcast?: boolean;
  fromMe: boolean;
  hasQuotedMsg: boolean;
  location?: {
    latitude: number | string;
    longitude: number | string;
    name?: string;
    address?: string;
    url?: string;
    description?: string;
  };
  vCards?: string[];
  pollName?: string;
  pollOptions?: Array<{ name: string }>;
  latestEditSenderTimestampMs?: number;
  /** On a revoked message: the key of the message it took back. */
  protocolMessageKey?: { _serialized: string };
  _data: WebMessageData;
  /** The media's bytes; undefined when WhatsApp no longer has them. */
  downloadMedia(): Promise<WebMedia | undefined>;
  getQuotedMessage(): Promise<Pick<WebMessage, 'id' | 'type' | 'body' | 'hasMedia'> | undefined>;
}

/** whatsapp-web.js `MessageAck`. */
export const WebAck = {
  ERROR: -1,
  PENDING: 0,
  SERVER: 1,
  DEVICE: 2,
  READ: 3,
  PLAYED: 4,
} as const;

/** The client events this service listens to, with whatsapp-web.js's listener signatures. */
export interface WebClientEvents {
  qr: (qr: string) => void;
  authenticated: () => void;
  auth_failure: (message: string) => void;
  ready: () => void;
  /** `LOGOUT`, a `WAState` (`CONFLICT`, `UNPAIRED`, `TOS_BLOCK`…) or `Max qrcode retries reached`. */
  disconnected: (reason: string) => void;
  change_state: (state: string) => void;
  /** Every new message of a chat: the customer's and ours, whether this service or the phone sent it. */
  message_create: (message: WebMessage) => void;
  message_ack: (message: WebMessage, ack: number) => void;
  message_edit: (message: WebMessage, newBody: string, prevBody: string) => void;
  message_revoke_everyone: (message: WebMessage, revoked?: WebMessage | null) => void;
}

export type WebClientEvent = keyof WebClientEvents;

export interface WebSendOptions {
  /** The serialized id of the message this one quotes. */
  quotedMessageId?: string;
}

export interface WebOutgoingMedia extends WebMedia {
  caption?: string;
}

/**
 * One WhatsApp Web session: a headless Chromium running web.whatsapp.com. `initialize` launches it and resolves once
 * the page is loaded (before pairing or readiness, which arrive as events).
 */
export interface WebClient {
  on<E extends WebClientEvent>(event: E, listener: WebClientEvents[E]): void;
  initialize(): Promise<void>;
  /** Closes the browser; the saved session stays (a logout would end it). */
  destroy(): Promise<void>;
  /** Our own WhatsApp id once ready (`5511999990000@c.us`). */
  ownId(): string | undefined;
  /** The registered WhatsApp id of a number (digits, or `digits@c.us`); null when the number is not on WhatsApp. */
  getNumberId(number: string): Promise<{ _serialized: string } | null>;
  /** Resolves with the message once WhatsApp Web queued it (ack 0); undefined when the chat does not exist. */
  sendText(chatId: string, text: string, options?: WebSendOptions): Promise<WebMessage | undefined>;
  sendMedia(
    chatId: string,
    media: WebOutgoingMedia,
    options?: WebSendOptions,
  ): Promise<WebMessage | undefined>;
}

export interface WebClientSettings {
  sessionId: string;
}

/** Builds a new client for a session (one per connection attempt: a destroyed client is not reused). */
export type WebClientFactory = (settings: WebClientSettings) => WebClient;
