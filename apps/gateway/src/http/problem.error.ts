import { STATUS_CODES } from 'node:http';

/** Prefix of every problem type of the gateway: stable identifiers, documented in apps/gateway/README.md. */
export const PROBLEM_TYPE_PREFIX = 'urn:ponte:problem:';

/** One rejected field of a request: where it is (a JSON Pointer into the body or query) and why. */
export interface FieldProblem {
  /** The field's path, `displayName` or `items.0.text`. */
  field: string;
  /** RFC 6901 pointer to it: `/displayName`. */
  pointer: string;
  detail: string;
}

/** An RFC 9457 problem details object as the gateway sends it. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** Stable machine-readable code, the last segment of `type`. */
  code?: string;
  /** Validation failures, one per field and rule. */
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

export type ProblemCode =
  | 'validation-failed'
  | 'weak-password'
  | 'wrong-current-password'
  | 'unauthenticated'
  | 'invalid-credentials'
  | 'invalid-refresh-token'
  | 'refresh-token-reused'
  | 'forbidden'
  | 'account-not-found'
  | 'account-conflict'
  | 'own-account'
  | 'too-many-requests'
  | 'conversation-not-found'
  | 'customer-not-found'
  | 'merge-not-found'
  | 'reply-refused'
  | 'command-rejected'
  | 'command-failed'
  | 'idempotency-key-reused'
  | 'not-viewing'
  | 'too-many-subscriptions'
  | 'inbox-not-found'
  | 'origin-not-allowed'
  | 'identity-verification-failed';

/**
 * A refusal the gateway explains to the caller: its HTTP status, a stable problem type and a detail that is safe to
 * show (never a stack, a query or a secret). The problem-details filter turns it into `application/problem+json`.
 */
export abstract class ProblemError extends Error {
  abstract readonly status: number;
  abstract readonly code: ProblemCode;
  /** Response headers that go with the problem (`Retry-After`, `WWW-Authenticate`). */
  readonly headers: Readonly<Record<string, string>> = {};

  constructor(readonly detail: string) {
    super(detail);
    this.name = new.target.name;
  }

  get title(): string {
    return STATUS_CODES[this.status] ?? 'Error';
  }

  /** Members added to the problem object besides type, title, status and detail. */
  extensions(): Record<string, unknown> {
    return {};
  }

  toProblem(): ProblemDetails {
    return {
      type: `${PROBLEM_TYPE_PREFIX}${this.code}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...this.extensions(),
    };
  }
}

/** The body, query or path parameters broke the declared shape: unknown, missing or malformed fields. */
export class RequestValidationError extends ProblemError {
  readonly status = 400;
  readonly code = 'validation-failed';

  constructor(
    readonly errors: FieldProblem[],
    detail = 'The request has invalid or unknown fields.',
  ) {
    super(detail);
  }

  override extensions(): Record<string, unknown> {
    return { errors: this.errors };
  }
}

export class WeakPasswordError extends ProblemError {
  readonly status = 400;
  readonly code = 'weak-password';

  constructor(
    readonly field: string,
    readonly problems: string[],
  ) {
    super(`The new password is too weak: ${problems.join('; ')}.`);
  }

  override extensions(): Record<string, unknown> {
    return {
      errors: this.problems.map((detail) => ({ field: this.field, pointer: `/${this.field}`, detail })),
    };
  }
}

export class WrongCurrentPasswordError extends ProblemError {
  readonly status = 400;
  readonly code = 'wrong-current-password';

  constructor() {
    super('The current password is incorrect.');
  }

  override extensions(): Record<string, unknown> {
    return {
      errors: [
        { field: 'currentPassword', pointer: '/currentPassword', detail: 'currentPassword is incorrect' },
      ],
    };
  }
}

/** Why an access token was refused, for the log and the `WWW-Authenticate` description. */
export type TokenRefusal = 'missing' | 'malformed' | 'invalid' | 'expired' | 'revoked';

const TOKEN_REFUSALS: Record<TokenRefusal, string> = {
  missing: 'An access token is required (Authorization: Bearer <token>).',
  malformed: 'The Authorization header must be "Bearer <token>".',
  invalid: 'The access token is invalid.',
  expired: 'The access token has expired.',
  revoked: 'The access token has been revoked.',
};

/** No valid access token: RFC 6750's 401 with a `WWW-Authenticate: Bearer` challenge. */
export class UnauthenticatedError extends ProblemError {
  readonly status = 401;
  readonly code = 'unauthenticated';
  override readonly headers: Readonly<Record<string, string>>;

  constructor(readonly reason: TokenRefusal) {
    super(TOKEN_REFUSALS[reason]);
    this.headers = {
      'www-authenticate':
        reason === 'missing'
          ? 'Bearer realm="ponte"'
          : `Bearer realm="ponte", error="invalid_token", error_description="${TOKEN_REFUSALS[reason]}"`,
    };
  }
}

/** The one answer to every failed login, so it never tells whether the e-mail has an account. */
export class InvalidCredentialsError extends ProblemError {
  readonly status = 401;
  readonly code = 'invalid-credentials';

  constructor() {
    super('The e-mail or password is incorrect.');
  }
}

export class InvalidRefreshTokenError extends ProblemError {
  readonly status = 401;
  readonly code = 'invalid-refresh-token';

  constructor() {
    super('The refresh token is invalid, expired or revoked; log in again.');
  }
}

/** A refresh token was used a second time: someone else may hold a copy, so its whole session was revoked. */
export class RefreshTokenReusedError extends ProblemError {
  readonly status = 401;
  readonly code = 'refresh-token-reused';

  constructor() {
    super('The refresh token was already used; the session has been revoked for safety. Log in again.');
  }
}

export class ForbiddenError extends ProblemError {
  readonly status = 403;
  readonly code = 'forbidden';
}

/** A web chat request names an inbox GATEWAY_WEBCHAT_INBOXES does not have. */
export class InboxNotFoundError extends ProblemError {
  readonly status = 404;
  readonly code = 'inbox-not-found';

  constructor(id: string) {
    super(`There is no web chat inbox ${JSON.stringify(id)}.`);
  }
}

/** A page whose origin the inbox does not list tried to open a visitor session. */
export class OriginNotAllowedError extends ProblemError {
  readonly status = 403;
  readonly code = 'origin-not-allowed';

  constructor(inboxId: string) {
    super(`This page's origin may not open sessions of the web chat inbox ${JSON.stringify(inboxId)}.`);
  }
}

/** A website's identity hash that does not match: someone may be trying to pass for another user. */
export class IdentityVerificationError extends ProblemError {
  readonly status = 403;
  readonly code = 'identity-verification-failed';
}

export class AccountNotFoundError extends ProblemError {
  readonly status = 404;
  readonly code = 'account-not-found';

  constructor(id: string) {
    super(`There is no account ${JSON.stringify(id)} in your tenant.`);
  }
}

export class AccountConflictError extends ProblemError {
  readonly status = 409;
  readonly code = 'account-conflict';

  constructor(readonly field: 'email' | 'agentId') {
    super(
      field === 'email'
        ? 'Another account of this tenant already logs in with this e-mail.'
        : 'Another account of this tenant already has this agentId.',
    );
  }

  override extensions(): Record<string, unknown> {
    return { errors: [{ field: this.field, pointer: `/${this.field}`, detail: `${this.field} is taken` }] };
  }
}

/** An admin may not lock themselves out: disabling or demoting one's own account is refused. */
export class OwnAccountError extends ProblemError {
  readonly status = 409;
  readonly code = 'own-account';

  constructor() {
    super('Admins cannot disable their own account or change their own role; ask another admin.');
  }
}

export class TooManyRequestsError extends ProblemError {
  readonly status = 429;
  readonly code = 'too-many-requests';
  override readonly headers: Readonly<Record<string, string>>;

  constructor(readonly retryAfterSeconds: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(`Too many requests; retry in ${seconds} s.`);
    this.headers = { 'retry-after': String(seconds) };
  }

  override extensions(): Record<string, unknown> {
    return { retryAfter: Math.max(1, Math.ceil(this.retryAfterSeconds)) };
  }
}

export class ConversationNotFoundError extends ProblemError {
  readonly status = 404;
  readonly code = 'conversation-not-found';

  constructor(id: string) {
    super(`There is no conversation ${JSON.stringify(id)} in your tenant.`);
  }
}

export class ConversationForbiddenError extends ProblemError {
  readonly status = 403;
  readonly code = 'forbidden';

  constructor(id: string) {
    super(`Conversation ${JSON.stringify(id)} is neither in your queues nor assigned to you.`);
  }
}

export class CustomerNotFoundError extends ProblemError {
  readonly status = 404;
  readonly code = 'customer-not-found';

  constructor(id: string) {
    super(`There is no customer ${JSON.stringify(id)} in your tenant.`);
  }
}

export class CustomerForbiddenError extends ProblemError {
  readonly status = 403;
  readonly code = 'forbidden';

  constructor(id: string) {
    super(
      `None of the conversations of customer ${JSON.stringify(id)} is in your queues or assigned to you.`,
    );
  }
}

/** A reply that cannot reach the customer as asked (no such identity, channel limits, a closed reply window). */
export class ReplyRefusedError extends ProblemError {
  readonly status = 422;
  readonly code = 'reply-refused';

  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(detail);
  }

  override extensions(): Record<string, unknown> {
    return { reason: this.reason };
  }
}

/** The router refused the command (it changed nothing); `reason` is the router's rejection code. */
export class CommandRejectedProblem extends ProblemError {
  readonly code = 'command-rejected';

  constructor(
    readonly status: number,
    readonly reason: string,
    detail: string,
    readonly commandId: string,
  ) {
    super(detail);
  }

  override extensions(): Record<string, unknown> {
    return { reason: this.reason, commandId: this.commandId };
  }
}

/** The router could not apply the command after its retries (not a refusal): retrying later may succeed. */
export class CommandFailedProblem extends ProblemError {
  readonly status = 503;
  readonly code = 'command-failed';

  constructor(
    detail: string,
    readonly commandId: string,
  ) {
    super(detail);
  }

  override extensions(): Record<string, unknown> {
    return { commandId: this.commandId };
  }
}

/** The Idempotency-Key was used before by this agent for a different request. */
export class IdempotencyKeyReusedError extends ProblemError {
  readonly status = 422;
  readonly code = 'idempotency-key-reused';

  constructor() {
    super('This Idempotency-Key was already used for a different request; use a new key for a new request.');
  }
}

export class MergeNotFoundError extends ProblemError {
  readonly status = 404;
  readonly code = 'merge-not-found';

  constructor(mergeId: string, customerId: string) {
    super(`There is no merge ${JSON.stringify(mergeId)} of customer ${JSON.stringify(customerId)}.`);
  }
}

/** A WebSocket `typing` about a conversation the socket has not subscribed to. */
export class NotViewingError extends ProblemError {
  readonly status = 409;
  readonly code = 'not-viewing';

  constructor(conversationId: string) {
    super(`Subscribe to conversation ${JSON.stringify(conversationId)} before sending typing about it.`);
  }
}

/** A WebSocket already views as many conversations as it may. */
export class TooManySubscriptionsError extends ProblemError {
  readonly status = 409;
  readonly code = 'too-many-subscriptions';

  constructor(limit: number) {
    super(`A connection may view at most ${limit} conversations at once; unsubscribe from one first.`);
  }
}
