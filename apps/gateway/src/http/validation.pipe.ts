import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { type FieldProblem, RequestValidationError } from './problem.error';

/**
 * The gateway's global validation: bodies, queries and path parameters are converted to their declared classes, and
 * a field the class does not declare is an error (not silently dropped), so a caller learns at once that `role` or
 * `tenantId` is not theirs to set. Failures become a `validation-failed` problem listing each field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(fieldProblems(errors)),
  });
}

/** One entry per violated rule, with the field's dotted path and JSON Pointer. */
export function fieldProblems(errors: ValidationError[], parent: string[] = []): FieldProblem[] {
  return errors.flatMap((error) => {
    const path = error.property ? [...parent, error.property] : parent;
    const own = Object.values(error.constraints ?? {}).map((detail) => ({
      field: path.join('.'),
      pointer: `/${path.map(escapePointer).join('/')}`,
      detail,
    }));
    return [...own, ...fieldProblems(error.children ?? [], path)];
  });
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
