import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, MongooseHealthIndicator } from '@nestjs/terminus';
import { KafkaHealthIndicator } from '@ponte/messaging';
import { ReadinessChecks } from './readiness-checks';

/**
 * Liveness says the process answers; readiness says it can do its work: Kafka and MongoDB reachable, and whatever the
 * service registered in ReadinessChecks up.
 * An orchestrator restarts on failed liveness and only routes traffic on passed readiness.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly mongo: MongooseHealthIndicator,
    private readonly checks: ReadinessChecks,
  ) {}

  @Get()
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  readiness() {
    return this.health.check([
      () => this.kafka.isHealthy('kafka'),
      () => this.mongo.pingCheck('mongodb', { timeout: 2_000 }),
      ...this.checks.list(),
    ]);
  }
}
