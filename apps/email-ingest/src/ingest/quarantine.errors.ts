export type QuarantineErrorCode =
  | 'QUARANTINE_NOT_FOUND'
  | 'QUARANTINE_MAILBOX_NOT_CONFIGURED'
  | 'QUARANTINE_RAW_MAIL_MISSING'
  | 'QUARANTINE_MAIL_GONE';

/** Every refusal of a reprocess carries a stable code, so the HTTP layer maps it without parsing messages. */
export abstract class QuarantineError extends Error {
  abstract readonly code: QuarantineErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class QuarantineNotFoundError extends QuarantineError {
  override readonly code = 'QUARANTINE_NOT_FOUND';

  constructor(readonly quarantineId: string) {
    super(`no quarantined mail ${quarantineId}`);
  }
}

/** The record exists but cannot be reprocessed as things are (it stays quarantined, with the error noted). */
export class QuarantineReprocessError extends QuarantineError {
  constructor(
    override readonly code: Exclude<QuarantineErrorCode, 'QUARANTINE_NOT_FOUND'>,
    readonly quarantineId: string,
    message: string,
  ) {
    super(message);
  }
}
