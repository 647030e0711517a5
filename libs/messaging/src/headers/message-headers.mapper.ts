/** Header names Ponte puts on every record and on dead letters; shared vocabulary for logs and tooling. */
export const MessageHeader = {
  envelopeId: 'x-ponte-envelope-id',
  tenantId: 'x-ponte-tenant-id',
  traceparent: 'traceparent',
  /** What caused the record (a command id, a message id): how a command's sender recognises the events it caused. */
  causeId: 'x-ponte-cause-id',
  error: 'x-ponte-error',
  errorCode: 'x-ponte-error-code',
  contractErrors: 'x-ponte-contract-errors',
  originalTopic: 'x-ponte-original-topic',
  originalPartition: 'x-ponte-original-partition',
  originalOffset: 'x-ponte-original-offset',
  attempts: 'x-ponte-attempts',
  failedAt: 'x-ponte-failed-at',
} as const;

/**
 * CONTRACT_VIOLATION: the bytes break the contract. HANDLER_FAILED: the handler kept failing. REJECTED: the handler
 * refused the message for good (a RejectedMessageError, e.g. a command on an unknown conversation): no retries.
 */
export type DeadLetterCode = 'CONTRACT_VIOLATION' | 'HANDLER_FAILED' | 'REJECTED';

export type MessageHeaders = Readonly<Record<string, string>>;

/** What kafkajs hands us; declared here so no kafkajs type leaks past this lib. */
export type RawHeaders = Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;

interface EnvelopeIdentity {
  readonly id: string;
  readonly tenantId?: string;
  readonly traceparent?: string;
}

export function envelopeHeaders(
  envelope: EnvelopeIdentity,
  extra: MessageHeaders = {},
): Record<string, string> {
  const headers: Record<string, string> = { ...extra, [MessageHeader.envelopeId]: envelope.id };
  if (envelope.tenantId) headers[MessageHeader.tenantId] = envelope.tenantId;
  if (envelope.traceparent) headers[MessageHeader.traceparent] = envelope.traceparent;
  return headers;
}

/** Kafka allows repeated header keys; Ponte never writes them, so the last value wins. */
export function decodeHeaders(raw: RawHeaders | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) headers[name] = last.toString();
  }
  return headers;
}

export interface DeadLetterFailure {
  readonly code: DeadLetterCode;
  readonly error: unknown;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly attempts: number;
  readonly failedAt: Date;
  readonly contractErrors?: readonly unknown[];
}

// Headers travel with every fetch of the DLQ; keep a runaway stack trace from bloating them.
const MAX_ERROR_LENGTH = 4_000;

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** The original headers stay; the failure is added on top so a replay tool can restore the record as it was. */
export function deadLetterHeaders(original: RawHeaders, failure: DeadLetterFailure): RawHeaders {
  const headers: Record<string, RawHeaders[string]> = {
    ...original,
    [MessageHeader.error]: describeError(failure.error).slice(0, MAX_ERROR_LENGTH),
    [MessageHeader.errorCode]: failure.code,
    [MessageHeader.originalTopic]: failure.topic,
    [MessageHeader.originalPartition]: String(failure.partition),
    [MessageHeader.originalOffset]: failure.offset,
    [MessageHeader.attempts]: String(failure.attempts),
    [MessageHeader.failedAt]: failure.failedAt.toISOString(),
  };
  if (failure.contractErrors) {
    headers[MessageHeader.contractErrors] = JSON.stringify(failure.contractErrors).slice(0, MAX_ERROR_LENGTH);
  }
  return headers;
}
