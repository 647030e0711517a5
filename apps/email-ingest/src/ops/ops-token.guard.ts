import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { EmailIngestConfig } from '../config/email-ingest.config';

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Lets a request through only with `Authorization: Bearer <EMAIL_OPS_TOKEN>`: no header (or another scheme) is 401,
 * a wrong token 403, and without a configured token every operator route answers 503.
 */
@Injectable()
export class OpsTokenGuard implements CanActivate {
  private readonly logger = new Logger(OpsTokenGuard.name);

  constructor(private readonly config: EmailIngestConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const expected = this.config.EMAIL_OPS_TOKEN;
    if (!expected) {
      throw new ServiceUnavailableException('the operator endpoints are disabled: set EMAIL_OPS_TOKEN');
    }
    const given = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (given === undefined) {
      void http.getResponse<FastifyReply>().header('www-authenticate', 'Bearer realm="email-ingest"');
      throw new UnauthorizedException('an operator bearer token is required (Authorization: Bearer …)');
    }
    if (!isSameToken(given, expected)) {
      this.logger.warn(
        { path: request.url, method: request.method },
        'rejected an operator request: wrong token',
      );
      throw new ForbiddenException('wrong operator token');
    }
    return true;
  }
}

/** Constant time, length included: both sides are hashed to the same size before the comparison. */
export function isSameToken(given: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
