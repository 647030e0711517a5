import { RejectedMessageError } from '@ponte/messaging';

/** Why a command was refused; it changed nothing. The code travels in the DLQ headers. */
export type CommandRejectionCode =
  | 'UNKNOWN_CONVERSATION'
  | 'UNKNOWN_QUEUE'
  | 'UNKNOWN_AGENT'
  /** A transfer named an agent who is not online in the target queue. */
  | 'AGENT_UNAVAILABLE'
  | 'NOT_ALLOWED'
  | 'INVALID_STATE'
  | 'NO_IDENTITY_FOR_CHANNEL'
  /** The chosen channel cannot carry this reply (CHANNEL_CAPABILITIES: too long, attachment type or size, template). */
  | 'CHANNEL_CANNOT_SEND'
  | 'INVALID_MERGE'
  /** A `configure` command would leave the configuration inconsistent; the message names every bad field. */
  | 'INVALID_CONFIGURATION';

export class CommandRejectedError extends RejectedMessageError {
  constructor(
    readonly reason: CommandRejectionCode,
    message: string,
  ) {
    super(reason, message);
  }
}
