import type { DeliveryState } from '@ponte/contracts';

/** What a provider answers when it takes a message. */
export interface SendAccepted {
  /** The provider's message id (Twilio's MessageSid, a Cloud API `wamid`). */
  externalId: string;
  state: DeliveryState;
}

/**
 * - `retryable`: the provider certainly did not take the message (429, 5xx, throttling, connection refused): try
 *   again later.
 * - `permanent`: it refused the message for good (invalid number, unsubscribed, outside the window…).
 * - `uncertain`: the request may have reached the provider (timeout, connection reset): sending again could send twice.
 */
export type SendFailureKind = 'retryable' | 'permanent' | 'uncertain';

/** What a provider adapter throws when a send did not go through; the classification stays with the adapter. */
export class SendFailure extends Error {
  override readonly name = 'SendFailure';

  constructor(
    readonly kind: SendFailureKind,
    /** The provider's error code (Twilio 21211, Meta 131026) or Ponte's own (`PONTE_…`). */
    readonly code: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** Errors with which the request never left this machine, or never reached an accepting server: retryable. */
const NOT_SENT_NETWORK_ERRORS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * A send that failed without an answer from the provider: retryable when the error code proves the request never
 * left, uncertain otherwise (it may have been sent). `answerOf` names who did not answer (`Twilio`, `Graph`); how the
 * network code is read from the error stays with the provider's client.
 */
export function networkSendFailure(
  networkCode: string | undefined,
  description: string,
  answerOf: string,
): SendFailure {
  if (networkCode && NOT_SENT_NETWORK_ERRORS.has(networkCode)) {
    return new SendFailure('retryable', `PONTE_NETWORK_${networkCode}`, description);
  }
  return new SendFailure(
    'uncertain',
    'PONTE_SEND_UNCERTAIN',
    `${answerOf}'s answer was lost (${networkCode ?? description}); the message may or may not have been sent`,
  );
}
