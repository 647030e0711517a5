import type { DeliveryState } from '@ponte/contracts';

export interface SendRequest {
  /** Our number (`+E164`, a short code, `whatsapp:+E164`) or a Messaging Service SID (`MG…`). */
  from: string;
  to: string;
  body?: string;
  /** Where the provider reports the message's statuses. */
  statusCallbackUrl?: string;
}

export interface SendAccepted {
  /** The provider's message id (Twilio's MessageSid). */
  externalId: string;
  state: DeliveryState;
}

/**
 * - `retryable`: the provider certainly did not take the message (429, 5xx, connection refused): try again later.
 * - `permanent`: it refused the message for good (invalid number, unsubscribed…).
 * - `uncertain`: the request may have reached the provider (timeout, connection reset): sending again could send twice.
 */
export type SendFailureKind = 'retryable' | 'permanent' | 'uncertain';

export class SendFailure extends Error {
  override readonly name = 'SendFailure';

  constructor(
    readonly kind: SendFailureKind,
    /** The provider's error code (Twilio 21211) or Ponte's own (`PONTE_…`). */
    readonly code: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** The channel's port: one provider class per provider, speaking Ponte's types. Throws SendFailure. */
export abstract class SmsProvider {
  abstract send(request: SendRequest): Promise<SendAccepted>;
}
