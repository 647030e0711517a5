import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '../auth/auth.guard';
import { GatewayThrottlerGuard } from '../rate-limit/rate-limits';

/**
 * The gateway's one global guard, so the order is explicit: authenticate first (the per-agent limit counts by the
 * authenticated account), then apply the rate limits.
 */
@Injectable()
export class RequestGuard implements CanActivate {
  constructor(
    private readonly auth: AuthGuard,
    private readonly throttler: GatewayThrottlerGuard,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    return (await this.auth.canActivate(context)) && this.throttler.canActivate(context);
  }
}
