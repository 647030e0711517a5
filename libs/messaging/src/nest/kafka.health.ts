import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { MessagingOptions } from '../config/messaging.options';
import { createKafkaClient } from '../kafka/kafka-client.factory';
import { MESSAGING_OPTIONS } from './messaging.tokens';

const DEFAULT_TIMEOUT_MS = 1_500;

/** Terminus indicator: up when a broker answers a cluster description within the timeout. */
@Injectable()
export class KafkaHealthIndicator {
  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly healthIndicatorService: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string>(
    key: Key,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.healthIndicatorService.check(key);
    // A fresh client without retries: a health probe must answer within its own deadline, not kafkajs' backoff.
    const admin = createKafkaClient(this.options, { connectionTimeoutMs: timeoutMs, retries: 0 }).admin();
    let timer: NodeJS.Timeout | undefined;
    try {
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      const cluster = await Promise.race([admin.connect().then(() => admin.describeCluster()), deadline]);
      return indicator.up({ brokers: cluster.brokers.length, controller: cluster.controller });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    } finally {
      clearTimeout(timer);
      await admin.disconnect().catch(() => undefined);
    }
  }
}
