import type { DeliveryState, ProviderError } from '@ponte/contracts';

/** The WhatsApp providers this service can send through; whatsapp-web.js sessions come next. */
export const WHATSAPP_PROVIDER_IDS = ['cloud-api'] as const;
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
  /** Our account: a Cloud API phone number id. */
  channelAccountId: string;
  /** The customer's address as the router gives it (E.164, or a WhatsApp id). */
  to: string;
  text?: string;
  template?: WhatsAppTemplate;
  /** The provider id of the customer's message this reply quotes. */
  replyToExternalId?: string;
}

export interface SendAccepted {
  /** The provider's message id (a Cloud API `wamid`). */
  externalId: string;
  state: DeliveryState;
  /** The customer's WhatsApp id as the provider resolved it. */
  recipientId?: string;
}

/**
 * - `retryable`: the provider certainly did not take the message (429, 5xx, throttling, connection refused).
 * - `permanent`: it refused the message for good (outside the window, undeliverable, bad parameters…).
 * - `uncertain`: the request may have reached the provider (timeout, connection reset): sending again could send twice.
 */
export type SendFailureKind = 'retryable' | 'permanent' | 'uncertain';

export class SendFailure extends Error {
  override readonly name = 'SendFailure';

  constructor(
    readonly kind: SendFailureKind,
    /** The provider's error code (Meta 131026) or Ponte's own (`PONTE_…`). */
    readonly code: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
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

  /** Throws SendFailure. */
  abstract send(request: WhatsAppSendRequest): Promise<SendAccepted>;
}
