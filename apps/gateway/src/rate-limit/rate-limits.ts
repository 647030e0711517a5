import { type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import {
  type ThrottlerGetTrackerFunction,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerOptions,
} from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { normalizeEmail } from '../accounts/email-address';
import type { AuthenticatedRequest } from '../auth/agent-principal';
import { loginKey } from '../auth/auth.service';
import type { GatewayConfig } from '../config/gateway.config';
import { TooManyRequestsError } from '../http/problem.error';

/**
 * Which limits a route counts against: `login` (per client IP and per login e-mail), `public` (per client IP: refresh,
 * logout, API docs) or, by default for authenticated routes, `agent` (per account). Public routes without a profile
 * (health probes) are not limited.
 */
export type RateLimitProfile = 'login' | 'public';

const RATE_LIMIT_PROFILE = 'gateway:rateLimitProfile';

export const RateLimit = (profile: RateLimitProfile): MethodDecorator & ClassDecorator =>
  SetMetadata(RATE_LIMIT_PROFILE, profile);

const MINUTE_MS = 60_000;

/** The throttlers of @nestjs/throttler, one per limit, each counting across all routes of its profile. */
export function gatewayThrottlers(config: GatewayConfig): ThrottlerOptions[] {
  const loginWindowMs = config.GATEWAY_LOGIN_RATE_WINDOW_SECONDS * 1000;
  const onlyFor = (profile: RateLimitProfile) => (context: ExecutionContext) =>
    profileOf(context) !== profile;
  const byName = (_: ExecutionContext, tracker: string, name: string) => `${name}|${tracker}`;
  return [
    {
      name: 'login-ip',
      ttl: loginWindowMs,
      limit: config.GATEWAY_LOGIN_RATE_LIMIT_PER_IP,
      skipIf: onlyFor('login'),
      getTracker: tracker(clientIp),
      generateKey: byName,
    },
    {
      name: 'login-email',
      ttl: loginWindowMs,
      limit: config.GATEWAY_LOGIN_RATE_LIMIT_PER_EMAIL,
      skipIf: onlyFor('login'),
      getTracker: tracker((request) => loginEmailKey(request, config.GATEWAY_DEFAULT_TENANT_ID)),
      generateKey: byName,
    },
    {
      name: 'public-ip',
      ttl: MINUTE_MS,
      limit: config.GATEWAY_PUBLIC_RATE_LIMIT_PER_IP,
      skipIf: onlyFor('public'),
      getTracker: tracker(clientIp),
      generateKey: byName,
    },
    {
      name: 'agent',
      ttl: MINUTE_MS,
      limit: config.GATEWAY_AGENT_RATE_LIMIT_PER_MINUTE,
      skipIf: (context) => principalOf(context) === undefined,
      getTracker: tracker((request) => request.principal?.accountId ?? clientIp(request)),
      generateKey: byName,
    },
  ];
}

/** @nestjs/throttler's guard, answering a refusal as a problem with a plain `Retry-After` header. */
@Injectable()
export class GatewayThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new TooManyRequestsError(detail.timeToBlockExpire);
  }
}

/** The throttler hands trackers its own loose request type; on this Fastify app it is Fastify's request. */
function tracker(track: (request: AuthenticatedRequest) => string): ThrottlerGetTrackerFunction {
  return (request) => track(request as AuthenticatedRequest);
}

function profileOf(context: ExecutionContext): RateLimitProfile | undefined {
  return (Reflect.getMetadata(RATE_LIMIT_PROFILE, context.getHandler()) ??
    Reflect.getMetadata(RATE_LIMIT_PROFILE, context.getClass())) as RateLimitProfile | undefined;
}

function principalOf(context: ExecutionContext): AuthenticatedRequest['principal'] {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
}

/** The socket's address: the gateway does not trust X-Forwarded-For (see README, "Rate limits"). */
function clientIp(request: FastifyRequest): string {
  return request.ip;
}

/** The login's tenant and normalized e-mail, read from the raw body (the guard runs before validation). */
function loginEmailKey(request: FastifyRequest, defaultTenant: string): string {
  const body = request.body as { email?: unknown; tenantId?: unknown } | undefined;
  if (typeof body?.email !== 'string') return `ip:${clientIp(request)}`;
  const tenantId = typeof body.tenantId === 'string' ? body.tenantId : defaultTenant;
  return loginKey(tenantId, normalizeEmail(body.email));
}
