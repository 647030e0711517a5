import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AgentRole } from '@ponte/contracts';
import { HealthController } from '@ponte/platform';
import { ForbiddenError, UnauthenticatedError } from '../http/problem.error';
import { AgentAuthenticator } from './agent-authenticator';
import { type AuthenticatedRequest, IS_PUBLIC, REQUIRED_ROLES } from './agent-principal';

/** Controllers of the platform that must answer without a token (orchestrators probe them). */
const PUBLIC_PLATFORM_CONTROLLERS: ReadonlySet<unknown> = new Set([HealthController]);

/** RFC 6750 §2.1: `Bearer` and a b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Secure by default: every route needs a valid access token unless it is marked @Public (or is a platform health
 * probe); @Roles narrows it further (403). The principal is put on the request for @CurrentAgent and the rate limits.
 * Contexts other than HTTP are refused: the live updates (socket.io, not Nest's WebSocket gateways) authenticate their
 * handshake themselves with AgentAuthenticator.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: AgentAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    if (this.isPublic(context)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticator.authenticate(bearerToken(request.headers.authorization));
    request.principal = principal;
    const roles = this.reflector.getAllAndOverride<AgentRole[] | undefined>(REQUIRED_ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (roles && !roles.includes(principal.role)) {
      throw new ForbiddenError(`This needs the role ${roles.join(' or ')}; yours is ${principal.role}.`);
    }
    return true;
  }

  private isPublic(context: ExecutionContext): boolean {
    return (
      PUBLIC_PLATFORM_CONTROLLERS.has(context.getClass()) ||
      this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
        context.getHandler(),
        context.getClass(),
      ]) === true
    );
  }
}

export function bearerToken(header: string | string[] | undefined): string {
  if (header === undefined || header === '') throw new UnauthenticatedError('missing');
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!match?.[1]) throw new UnauthenticatedError('malformed');
  return match[1];
}
