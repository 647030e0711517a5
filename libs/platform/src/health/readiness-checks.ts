import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';

/** One service-specific readiness check: `{ [name]: { status: 'up' | 'down', ...details } }`. */
export type ReadinessCheck = () => HealthIndicatorResult | Promise<HealthIndicatorResult>;

/**
 * What a service adds to `GET /health/ready` besides Kafka and MongoDB (e.g. the whatsapp-web.js sessions): a check
 * registered here, typically from the service's onModuleInit, makes readiness fail while it reports `down`.
 */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, ReadinessCheck>();

  add(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`readiness check ${name} is registered twice`);
    this.checks.set(name, check);
  }

  list(): ReadinessCheck[] {
    return [...this.checks.values()];
  }
}
