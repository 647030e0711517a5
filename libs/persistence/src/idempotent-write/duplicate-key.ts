/** MongoDB (and FerretDB) report a unique-index violation with this server error code. */
export const DUPLICATE_KEY_ERROR_CODE = 11000;

interface WithCode {
  code?: unknown;
  writeErrors?: unknown;
}

/** True when the error is a unique-index violation: the document is already stored. */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as WithCode).code === DUPLICATE_KEY_ERROR_CODE;
}

/**
 * Indexes (in the input order of an unordered bulk insert) of the documents the server rejected as duplicates.
 * Returns undefined when the error carries any other kind of failure: those must not be mistaken for "already there".
 */
export function duplicateIndexesOfBulkError(error: unknown): number[] | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const writeErrors = (error as WithCode).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  if (list.length === 0) return undefined;
  const indexes: number[] = [];
  for (const writeError of list as Array<{
    code?: unknown;
    index?: unknown;
    err?: { code?: unknown; index?: unknown };
  }>) {
    const code = writeError.code ?? writeError.err?.code;
    const index = writeError.index ?? writeError.err?.index;
    if (code !== DUPLICATE_KEY_ERROR_CODE || typeof index !== 'number') return undefined;
    indexes.push(index);
  }
  return indexes;
}
