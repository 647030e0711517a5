import { ValidationError } from 'class-validator';
import { ContractViolationError, formatContractErrors, toContractErrors } from './contract.error';

function validationError(fields: Partial<ValidationError>): ValidationError {
  return Object.assign(new ValidationError(), { value: 'present', children: [], ...fields });
}

describe(toContractErrors.name, () => {
  it('should flatten nested errors into dotted paths when errors are nested in objects and arrays', () => {
    const tree = [
      validationError({
        property: 'attachments',
        children: [
          validationError({
            property: '0',
            children: [
              validationError({ property: 'size', constraints: { min: 'size must not be less than 0' } }),
            ],
          }),
        ],
      }),
    ];

    expect(toContractErrors(tree, 'data')).toEqual([
      { path: 'data.attachments.0.size', constraint: 'min', message: 'size must not be less than 0' },
    ]);
  });

  it('should report one isDefined error when a required value is missing', () => {
    const tree = [
      validationError({
        property: 'externalId',
        value: undefined,
        constraints: {
          isString: 'externalId must be a string',
          isNotEmpty: 'externalId should not be empty',
        },
      }),
    ];

    expect(toContractErrors(tree)).toEqual([
      { path: 'externalId', constraint: 'isDefined', message: 'externalId is required' },
    ]);
  });

  it('should keep every failed constraint when the value is present', () => {
    const tree = [validationError({ property: 'channel', constraints: { isIn: 'a', isString: 'b' } })];

    expect(toContractErrors(tree).map((error) => error.constraint)).toEqual(['isIn', 'isString']);
  });
});

describe(ContractViolationError.name, () => {
  it('should carry the code, topic and errors when thrown', () => {
    const errors = [{ path: 'data.channel', constraint: 'isIn', message: 'channel must be one of …' }];

    const sut = new ContractViolationError('ponte.outbound.sms.v1', errors);

    expect(sut).toBeInstanceOf(Error);
    expect(sut).toMatchObject({ code: 'CONTRACT_VIOLATION', topic: 'ponte.outbound.sms.v1', errors });
    expect(sut.message).toBe(
      'Envelope for ponte.outbound.sms.v1 breaks the contract: data.channel: channel must be one of …',
    );
  });
});

describe(formatContractErrors.name, () => {
  it('should omit the empty root path when an error concerns the whole message', () => {
    expect(
      formatContractErrors([
        { path: '', constraint: 'isJson', message: 'message value is not JSON' },
        { path: 'tenantId', constraint: 'isDefined', message: 'tenantId is required' },
      ]),
    ).toBe('message value is not JSON; tenantId: tenantId is required');
  });
});
