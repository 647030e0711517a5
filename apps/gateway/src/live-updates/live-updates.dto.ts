import { type AgentRole, ContractLimits } from '@ponte/contracts';
import { plainToInstance } from 'class-transformer';
import type { ExtendedError, Socket } from 'socket.io';
import { IsBoolean, IsNotEmpty, IsString, MaxLength, validateSync } from 'class-validator';
import { fieldProblems } from '../http/validation.pipe';
import { type ProblemDetails, ProblemError, RequestValidationError } from '../http/problem.error';
import type { ConversationEventEnvelope } from '../commands/command-outcomes';

/** The socket.io path of the agents' live updates. */
export const LIVE_UPDATES_PATH = '/api/v1/live';

/** Events the server emits. */
export const ServerEvents = {
  /** A `ponte.conversation.event.v1` event the agent may see: `ConversationEventView`. */
  conversationEvent: 'conversation.event',
  /** Someone started or stopped viewing a conversation you view: `ViewersView`. */
  viewers: 'viewers',
  /** Another agent viewing the conversation is typing (or stopped): `TypingView`. */
  typing: 'typing',
  /** The customer is typing (or stopped) in a conversation you view, from the web chat: `CustomerTypingView`. */
  customerTyping: 'customer.typing',
  /** A conversation you viewed moved out of your reach: `{ conversationId, reason }`. */
  unsubscribed: 'unsubscribed',
  /** The session ends (revoked or expired token), just before the server disconnects: a problem. */
  sessionEnded: 'session.ended',
} as const;

/** Messages a client sends, each with an acknowledgement callback. */
export const ClientMessages = {
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
  typing: 'typing',
} as const;

export type ClientMessage = (typeof ClientMessages)[keyof typeof ClientMessages];

export class ConversationSubscriptionMessage {
  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.identifierLength)
  conversationId!: string;
}

export class TypingMessage extends ConversationSubscriptionMessage {
  @IsBoolean()
  typing!: boolean;
}

export interface ConversationEventView {
  /** The envelope id: the same event may reach a client once per connection, never twice on one. */
  id: string;
  type: string;
  time: string;
  data: ConversationEventEnvelope['data'];
}

export interface ViewerView {
  agentId: string;
  role: AgentRole;
}

export interface ViewersView {
  conversationId: string;
  change: 'joined' | 'left';
  agent: ViewerView;
  /** Everyone viewing it now (on this gateway instance), one entry per agent. */
  viewers: ViewerView[];
}

export interface TypingView {
  conversationId: string;
  agent: ViewerView;
  typing: boolean;
}

/** Every acknowledgement: `ok` with the message's result, or a problem like the REST API's (`code`, `detail`, `errors`). */
export interface CustomerTypingView {
  conversationId: string;
  typing: boolean;
}

export type Ack<T = Record<string, never>> = ({ ok: true } & T) | { ok: false; error: ProblemDetails };

/** The payload as the message's class, or a `validation-failed` error (unknown fields are errors, as on REST). */
export function validateClientMessage<T extends object>(type: new () => T, payload: unknown): T {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new RequestValidationError([], 'The message must be a JSON object.');
  }
  const message = plainToInstance(type, payload);
  const errors = validateSync(message, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) throw new RequestValidationError(fieldProblems(errors));
  return message;
}

/** The problem an error acknowledgement carries; an unexpected error is not described to the client. */
export function problemOf(error: unknown): ProblemDetails {
  if (error instanceof ProblemError) return error.toProblem();
  return {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail: 'The message could not be handled.',
  };
}

/**
 * Handles one kind of client message on a socket: runs the handler and acknowledges with `{ ok: true, ...result }` or
 * `{ ok: false, error }` (a problem); errors of the server itself (5xx) also go to `onServerError`.
 */
export function answerClientMessage<T extends object>(
  socket: Pick<Socket, 'on'>,
  event: string,
  handler: (payload: unknown) => Promise<T> | T,
  onServerError: (error: unknown) => void,
): void {
  socket.on(event, (payload: unknown, ack?: unknown) => {
    const reply = typeof ack === 'function' ? (ack as (answer: Ack<T>) => void) : () => undefined;
    Promise.resolve()
      .then(() => handler(payload))
      .then(
        (result) => reply({ ok: true, ...result }),
        (error: unknown) => {
          const problem = problemOf(error);
          if (problem.status >= 500) onServerError(error);
          reply({ ok: false, error: problem });
        },
      );
  });
}

/** A handshake's refusal as the client sees it in `connect_error`: the message, and the problem as `data`. */
export function handshakeRefusal(error: unknown): ExtendedError {
  const problem = problemOf(error);
  const refusal: ExtendedError = new Error(problem.detail);
  refusal.data = problem;
  return refusal;
}
