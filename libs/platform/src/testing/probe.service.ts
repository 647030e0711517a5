/*
 * A minimal Ponte service run as a real process by service-app.int-spec.ts: the platform plus one Kafka handler
 * that records when it starts and when it finishes each message, taking PROBE_HANDLER_DELAY_MS in between.
 */
import { Body, Controller, type DynamicModule, HttpCode, Module, Post, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { InjectConnection } from '@nestjs/mongoose';
import { setTimeout as delay } from 'node:timers/promises';
import { type EnvelopeOf, Topics } from '@ponte/contracts';
import { KafkaErrorFilter } from '@ponte/messaging';
import { IsIn, IsInt, Min } from 'class-validator';
import type { Connection } from 'mongoose';
import { PlatformModule, ReadinessChecks, runService, ServiceConfig } from '../index';

export class ProbeConfig extends ServiceConfig {
  @IsInt()
  @Min(0)
  PROBE_HANDLER_DELAY_MS: number = 0;

  /** What the probe's own readiness check reports (a service-specific check, see ReadinessChecks). */
  @IsIn(['up', 'down'])
  PROBE_READINESS: 'up' | 'down' = 'up';
}

interface Visit {
  _id: string;
  started: number;
  finished: number;
}

@Controller()
@UseFilters(KafkaErrorFilter)
class ProbeController {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly config: ProbeConfig,
    readiness: ReadinessChecks,
  ) {
    readiness.add('probe', () => ({ probe: { status: this.config.PROBE_READINESS } }));
  }

  /** How many bytes of JSON arrived: lets the tests see the body limit at work. */
  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: unknown): { bytes: number } {
    return { bytes: JSON.stringify(body).length };
  }

  @EventPattern(Topics.inboundMessage)
  async onInbound(@Payload() envelope: EnvelopeOf<typeof Topics.inboundMessage>): Promise<void> {
    const visits = this.connection.collection<Visit>('probe_visits');
    await visits.updateOne({ _id: envelope.id }, { $inc: { started: 1 } }, { upsert: true });
    await delay(this.config.PROBE_HANDLER_DELAY_MS);
    await visits.updateOne({ _id: envelope.id }, { $inc: { finished: 1 } });
  }
}

@Module({})
class ProbeModule {
  static register(config: ProbeConfig): DynamicModule {
    return {
      module: ProbeModule,
      imports: [PlatformModule.forRoot({ service: 'probe', config, topics: [Topics.inboundMessage] })],
      controllers: [ProbeController],
    };
  }
}

void runService({
  name: 'probe',
  configClass: ProbeConfig,
  module: (config) => ProbeModule.register(config),
  consumerGroup: 'probe',
});
