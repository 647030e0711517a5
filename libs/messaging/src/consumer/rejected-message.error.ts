/**
 * Thrown by a handler that refuses a message for good — valid bytes, but a request that can never succeed (a
 * command on an unknown conversation, an agent without the right). The runner does not retry it: it goes straight
 * to the DLQ with code REJECTED and this error's `code` and message as the reason.
 */
export class RejectedMessageError extends Error {
  override readonly name = 'RejectedMessageError';

  constructor(
    /** Machine-readable reason, e.g. UNKNOWN_CONVERSATION. */
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
