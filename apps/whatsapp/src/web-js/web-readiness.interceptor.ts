import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Injectable,
  type NestInterceptor,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { HealthCheckResult } from '@nestjs/terminus';
import { HealthController } from '@ponte/platform';
import { catchError, map, type Observable, throwError } from 'rxjs';
import { WebSessionRegistry } from './web-session.registry';

const KEY = 'whatsapp-web';

/**
 * Adds the whatsapp-web.js sessions to `GET /health/ready` (libs/platform's HealthController checks Kafka and MongoDB
 * only, and takes no indicator from the services): not ready while a session is `lost`, which needs an operator.
 * Pairing and reconnecting sessions keep the service ready: the QR code must stay reachable behind a load balancer.
 */
@Injectable()
export class WebReadinessInterceptor implements NestInterceptor {
  constructor(private readonly sessions: WebSessionRegistry) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (
      !this.sessions.configured ||
      context.getClass() !== HealthController ||
      context.getHandler() !== HealthController.prototype.readiness
    ) {
      return next.handle();
    }
    return next.handle().pipe(
      map((result: HealthCheckResult) => {
        const merged = this.merge(result);
        if (merged.status !== 'ok') throw new ServiceUnavailableException(merged);
        return merged;
      }),
      catchError((error: unknown) => {
        if (!(error instanceof HttpException) || error.getStatus() !== 503) return throwError(() => error);
        const response = error.getResponse();
        if (typeof response !== 'object' || !('details' in response)) return throwError(() => error);
        return throwError(() => new ServiceUnavailableException(this.merge(response as HealthCheckResult)));
      }),
    );
  }

  private merge(result: HealthCheckResult): HealthCheckResult {
    const health = this.sessions.health();
    const indicator = {
      [KEY]: { status: health.up ? ('up' as const) : ('down' as const), sessions: health.sessions },
    };
    const up = health.up && result.status === 'ok';
    return {
      status: up ? 'ok' : 'error',
      info: { ...result.info, ...(health.up ? indicator : {}) },
      error: { ...result.error, ...(health.up ? {} : indicator) },
      details: { ...result.details, ...indicator },
    };
  }
}
