import type { SendAccepted as ChannelSendAccepted } from '@ponte/channel-kit';
import type { AttachmentRef, ProviderError } from '@ponte/contracts';

/** The WhatsApp providers this service can send through: the Cloud API and whatsapp-web.js sessions. */
export const WHATSAPP_PROVIDER_IDS = ['cloud-api', 'web-js'] as const;
export type WhatsAppProviderId = (typeof WHATSAPP_PROVIDER_IDS)[number];

/**
 * An approved message template. The contract's OutboundMessage has no template field yet (see README): until it
 * does, no outbound event can carry one, but the whole path below the consumer supports it.
 */
export interface WhatsAppTemplate {
  name: string;
  /** The template's language, e.g. `pt_BR`. */
  languageCode: string;
  /** Values of the body's `{{1}}`, `{{2}}`… in order. */
  bodyParameters?: string[];
}

export interface WhatsAppSendRequest {
  /** Our message id, the idempotency key; also handed to the provider so its statuses name it. */
  messageId: string;
  conversationId: string;
  tenantId: string;
  /** Our account: a Cloud API phone number id, or `web:{session id}` for a whatsapp-web.js session. */
  channelAccountId: string;
  /** The customer's address as the router gives it (E.164, or a WhatsApp id). */
  to: string;
  text?: string;
  /** Blob references; each provider says in `check` what it can send. */
  attachments?: AttachmentRef[];
  template?: WhatsAppTemplate;
  /** The provider id of the customer's message this reply quotes. */
  replyToExternalId?: string;
}

/** What a provider answers besides its message id (a `wamid`, a serialized whatsapp-web.js id). */
export interface SendAccepted extends ChannelSendAccepted {
  /** The customer's WhatsApp id as the provider resolved it. */
  recipientId?: string;
  /**
   * The id of the text sent as a message of its own before the file, when it could not be the file's caption (Cloud
   * API: audio, sticker, a text longer than a caption); `externalId` is the file's.
   */
  textExternalId?: string;
}

/**
 * The channel's port: one class per provider, in its own folder, speaking Ponte's types. The sender calls `check`
 * before it records anything, then `send` at most once per attempt.
 */
export abstract class WhatsAppProvider {
  abstract readonly id: WhatsAppProviderId;

  /** Whether this provider sends for that channel account. */
  abstract handles(channelAccountId: string): boolean;

  /** What can be refused before calling WhatsApp (an address it cannot reach, a closed window); a refusal is final. */
  abstract check(request: WhatsAppSendRequest): Promise<ProviderError | undefined>;

  /** Throws SendFailure (from @ponte/channel-kit). */
  abstract send(request: WhatsAppSendRequest): Promise<SendAccepted>;
}
