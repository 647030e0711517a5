import { DynamicModule, Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { TopicName } from '@ponte/contracts';
import { MessagingModule, TopicProvisioner } from '@ponte/messaging';
import { PersistenceModule } from '@ponte/persistence';
import { LoggerModule } from 'nestjs-pino';
import { ServiceConfig } from './config/service-config';
import { ReadinessChecks } from './health/readiness-checks';
import { HealthController } from './health/health.controller';
import { loggerOptions } from './logging/logger-options';

export const SERVICE_TOPICS = Symbol('SERVICE_TOPICS');

export interface PlatformOptions<C extends ServiceConfig> {
  /** Service name: Kafka client id, log field, error messages. */
  service: string;
  /** The validated config of the service (see loadConfig). */
  config: C;
  /** Topics the service produces or consumes; created (with their DLQs) at start-up if missing. */
  topics: readonly TopicName[];
}

/** Creates the service's topics before it produces or consumes, so a fresh cluster needs no manual step. */
@Injectable()
class TopicBootstrap implements OnModuleInit {
  constructor(
    private readonly provisioner: TopicProvisioner,
    @Inject(SERVICE_TOPICS) private readonly topics: readonly TopicName[],
  ) {}

  async onModuleInit(): Promise<void> {
    await this.provisioner.ensureTopics([...this.topics]);
  }
}

/**
 * What every Ponte service has: its typed config (injectable as ServiceConfig and as its own class), JSON logs,
 * the MongoDB connection, the Kafka bus, topics provisioned at start-up, and /health + /health/ready.
 */
@Module({})
export class PlatformModule {
  static forRoot<C extends ServiceConfig>({ service, config, topics }: PlatformOptions<C>): DynamicModule {
    const configClass = config.constructor as new () => C;
    return {
      module: PlatformModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerOptions(service, config)),
        TerminusModule.forRoot({ errorLogStyle: 'json' }),
        PersistenceModule.forRootAsync({ useFactory: () => ({ uri: config.MONGO_URL }) }),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            clientId: service,
            brokers: config.kafkaBrokers,
            topicPrefix: config.KAFKA_TOPIC_PREFIX,
            topics: {
              partitions: config.KAFKA_TOPIC_PARTITIONS,
              replicationFactor: config.KAFKA_REPLICATION_FACTOR,
            },
          }),
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: ServiceConfig, useValue: config },
        ...(configClass === ServiceConfig ? [] : [{ provide: configClass, useValue: config }]),
        { provide: SERVICE_TOPICS, useValue: topics },
        TopicBootstrap,
        ReadinessChecks,
      ],
      exports: [
        ServiceConfig,
        ReadinessChecks,
        ...(configClass === ServiceConfig ? [] : [configClass]),
        PersistenceModule,
        MessagingModule,
      ],
    };
  }
}
