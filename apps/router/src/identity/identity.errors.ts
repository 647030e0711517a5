import type { Channel } from '@ponte/contracts';

export type IdentityErrorCode =
  | 'INVALID_ADDRESS'
  | 'INVALID_TENANT'
  | 'UNKNOWN_CUSTOMER'
  | 'UNKNOWN_MERGE'
  | 'MERGE_INTO_SELF'
  | 'MERGE_ID_CONFLICT'
  | 'MERGE_TOO_DEEP'
  | 'MERGE_CONFLICT';

/** Every refusal of the customer directory carries a stable code, so callers map it without parsing messages. */
export abstract class IdentityError extends Error {
  abstract readonly code: IdentityErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The sender cannot be turned into an identity (invariant 6: a clear error, nothing written). Permanent: a retry
 * of the same message fails the same way, so the inbound pipeline sends it to the DLQ.
 */
export class IdentityResolutionError extends IdentityError {
  constructor(
    override readonly code: 'INVALID_ADDRESS' | 'INVALID_TENANT',
    readonly channel: Channel | undefined,
    readonly address: string,
    readonly reason: string,
    /** Position of the offending sender in a `resolveSenders` batch. */
    readonly senderIndex?: number,
  ) {
    super(
      `Cannot resolve ${channel ?? 'the'} sender ${JSON.stringify(address.slice(0, 64))}: ${reason}` +
        (senderIndex === undefined ? '' : ` (sender #${senderIndex} of the batch)`),
    );
  }
}

export class UnknownCustomerError extends IdentityError {
  override readonly code = 'UNKNOWN_CUSTOMER';

  constructor(
    readonly tenantId: string,
    readonly customerId: string,
  ) {
    super(`Customer ${customerId} does not exist in tenant ${tenantId}`);
  }
}

export class UnknownMergeError extends IdentityError {
  override readonly code = 'UNKNOWN_MERGE';

  constructor(
    readonly tenantId: string,
    readonly mergeId: string,
  ) {
    super(`Merge ${mergeId} does not exist in tenant ${tenantId}`);
  }
}

/** The merge command itself is wrong: retrying it changes nothing. */
export class MergeRejectedError extends IdentityError {
  constructor(
    override readonly code: 'MERGE_INTO_SELF' | 'MERGE_ID_CONFLICT' | 'MERGE_TOO_DEEP',
    message: string,
  ) {
    super(message);
  }
}

/** A concurrent merge of the same customers won; nothing of this one was kept, and a retry may succeed. */
export class MergeConflictError extends IdentityError {
  override readonly code = 'MERGE_CONFLICT';
}
