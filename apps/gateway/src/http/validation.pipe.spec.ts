import type { ArgumentMetadata } from '@nestjs/common';
import { CreateAccountBody, UpdateAccountBody } from '../accounts/account.dto';
import { RequestValidationError } from './problem.error';
import { createValidationPipe } from './validation.pipe';

describe(createValidationPipe.name, () => {
  const sut = createValidationPipe();
  const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });

  async function refusal(
    value: unknown,
    metatype: ArgumentMetadata['metatype'],
  ): Promise<RequestValidationError> {
    try {
      await sut.transform(value, body(metatype));
    } catch (error) {
      return error as RequestValidationError;
    }
    throw new Error('expected a validation error');
  }

  it('should normalize the e-mail and keep declared fields', async () => {
    const value = (await sut.transform(
      {
        email: ' Ana@Ponte.Example ',
        displayName: 'Ana',
        role: 'solver',
        agentId: 'solver-1',
        password: 'x',
      },
      body(CreateAccountBody),
    )) as CreateAccountBody;

    expect(value).toBeInstanceOf(CreateAccountBody);
    expect(value.email).toBe('ana@ponte.example');
  });

  it('should list each unknown field and each broken rule with its pointer', async () => {
    const error = await refusal({ role: 'root', disabled: 'yes', 'a/b': 1 }, UpdateAccountBody);

    expect(error).toBeInstanceOf(RequestValidationError);
    expect(error.errors).toEqual(
      expect.arrayContaining([
        { field: 'a/b', pointer: '/a~1b', detail: 'property a/b should not exist' },
        { field: 'role', pointer: '/role', detail: expect.stringMatching(/^role must be one of/) },
        { field: 'disabled', pointer: '/disabled', detail: 'disabled must be a boolean value' },
      ]),
    );
  });

  it('should refuse an e-mail given as an object (no operator injection reaches a query)', async () => {
    const error = await refusal({ email: { $ne: null }, password: 'x' }, CreateAccountBody);

    expect(error.errors.some((problem) => problem.field === 'email')).toBe(true);
  });

  it('should refuse an array where an object is expected', async () => {
    await expect(sut.transform([{ role: 'admin' }], body(UpdateAccountBody))).rejects.toBeInstanceOf(
      RequestValidationError,
    );
  });
});
