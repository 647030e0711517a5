import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AgentRole } from '@ponte/contracts';
import type { FastifyRequest } from 'fastify';

/**
 * Who is calling, established by the AuthGuard from a verified access token and the account's current state. Later
 * slices (conversations API, WebSocket) authorize with it: the tenant scopes every query, the agent id is the router's.
 */
export interface AgentPrincipal {
  tenantId: string;
  accountId: string;
  agentId: string;
  role: AgentRole;
  /** The access token's `jti`, for logs. */
  tokenId: string;
  /** When the access token expires: a WebSocket session must end (or re-authenticate) by then. */
  expiresAt: Date;
}

export type AuthenticatedRequest = FastifyRequest & { principal?: AgentPrincipal };

export const IS_PUBLIC = Symbol('gateway:isPublic');
export const REQUIRED_ROLES = Symbol('gateway:requiredRoles');

/** Lets a route through without an access token; every other route requires one. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** Restricts a route (or a controller) to these roles; others get 403. */
export const Roles = (...roles: AgentRole[]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_ROLES, roles);

/** The authenticated agent of the request (only on routes that are not @Public). */
export const CurrentAgent = createParamDecorator((_: unknown, context: ExecutionContext): AgentPrincipal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal)
    throw new Error('CurrentAgent used on a route the AuthGuard did not authenticate (@Public?)');
  return principal;
});
