import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';

export class FieldProblemSchema {
  @ApiProperty({ example: 'email' })
  field!: string;

  @ApiProperty({ example: '/email' })
  pointer!: string;

  @ApiProperty({ example: 'email must be an e-mail address' })
  detail!: string;
}

/** RFC 9457 problem details, as every error of the gateway is answered (`application/problem+json`). */
export class ProblemSchema {
  @ApiProperty({ example: 'urn:ponte:problem:validation-failed' })
  type!: string;

  @ApiProperty({ example: 'Bad Request' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ example: 'The request has invalid or unknown fields.' })
  detail!: string;

  @ApiPropertyOptional({ example: '/api/v1/auth/login' })
  instance?: string;

  @ApiPropertyOptional({ example: 'validation-failed' })
  code?: string;

  @ApiPropertyOptional({ type: [FieldProblemSchema] })
  errors?: FieldProblemSchema[];
}

/** Documents the problem responses a route can give, each as `application/problem+json`. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemSchema),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status] ?? 'Problem details',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemSchema) } } },
      }),
    ),
  );
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON, unknown or invalid fields, or a weak password',
  401: 'No valid access token, or wrong credentials',
  403: 'The role or the queues of the caller do not allow this',
  404: 'No such resource in the caller tenant',
  409: 'Conflicts with the current state',
  503: 'The router could not apply the command; retry later',
  413: 'The body exceeds HTTP_BODY_LIMIT_BYTES',
  422: 'The request cannot be carried out as asked (see `reason`); nothing was published',
  429: 'Rate limited; see Retry-After',
};
