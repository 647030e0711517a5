import type { ValidationError } from 'class-validator';

/** One reason a message breaks the contract; `path` is dotted from the envelope root (`data.attachments.0.blobId`). */
export interface ContractError {
  path: string;
  constraint: string;
  message: string;
}

export type ParseResult<V> = { ok: true; value: V } | { ok: false; errors: ContractError[] };

export class ContractViolationError extends Error {
  readonly code = 'CONTRACT_VIOLATION';

  constructor(
    readonly topic: string,
    readonly errors: ContractError[],
  ) {
    super(`Envelope for ${topic} breaks the contract: ${formatContractErrors(errors)}`);
    this.name = ContractViolationError.name;
  }
}

/** One line for logs and DLQ headers. */
export function formatContractErrors(errors: readonly ContractError[]): string {
  return errors.map((error) => (error.path ? `${error.path}: ${error.message}` : error.message)).join('; ');
}

function joinPath(prefix: string, property: string): string {
  return prefix ? `${prefix}.${property}` : property;
}

/** Flattens class-validator's nested error tree into one error per failed constraint. */
export function toContractErrors(validationErrors: readonly ValidationError[], prefix = ''): ContractError[] {
  return validationErrors.flatMap((validationError) => {
    const path = joinPath(prefix, validationError.property);
    const constraints = Object.entries(validationError.constraints ?? {});
    // A missing field fails every check on it; one "required" reads better than "must be a string, not empty…".
    if (validationError.value == null && constraints.length > 0) {
      return [{ path, constraint: 'isDefined', message: `${validationError.property} is required` }];
    }
    const own = constraints.map(([constraint, message]) => ({ path, constraint, message }));
    return [...own, ...toContractErrors(validationError.children ?? [], path)];
  });
}
