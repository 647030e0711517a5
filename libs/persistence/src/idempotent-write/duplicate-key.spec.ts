import { duplicateIndexesOfBulkError, isDuplicateKeyError } from './duplicate-key';

describe(isDuplicateKeyError.name, () => {
  it('should recognize the server code 11000', () => {
    expect(isDuplicateKeyError({ code: 11000 })).toBe(true);
  });

  it.each([null, undefined, 'E11000', { code: 11001 }, new Error('E11000 duplicate key')])(
    'should not recognize %p',
    (value) => {
      expect(isDuplicateKeyError(value)).toBe(false);
    },
  );
});

describe(duplicateIndexesOfBulkError.name, () => {
  it('should list the positions when every write error is a duplicate', () => {
    const error = { writeErrors: [{ err: { code: 11000, index: 2 } }, { code: 11000, index: 0 }] };

    expect(duplicateIndexesOfBulkError(error)).toEqual([2, 0]);
  });

  it('should refuse to call it a duplicate when any write error has another cause', () => {
    const error = {
      writeErrors: [
        { code: 11000, index: 0 },
        { code: 121, index: 1 },
      ],
    };

    expect(duplicateIndexesOfBulkError(error)).toBeUndefined();
  });

  it('should return undefined when the error has no write errors', () => {
    expect(duplicateIndexesOfBulkError(new Error('network'))).toBeUndefined();
  });
});
