import { type DynamicModule, type InjectionToken, Module, type ModuleMetadata } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { MessagingOptions } from '../config/messaging.options';
import { MessageBus } from '../producer/message-bus.service';
import { TopicProvisioner } from '../topics/topic-provisioner.service';
import { KafkaHealthIndicator } from './kafka.health';
import { MESSAGING_OPTIONS } from './messaging.tokens';

export interface MessagingModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  readonly useFactory: (...args: never[]) => MessagingOptions | Promise<MessagingOptions>;
  readonly inject?: InjectionToken[];
}

/** Global, like ConfigModule: one producer per process, injectable from any feature module. */
@Module({})
export class MessagingModule {
  static forRootAsync(options: MessagingModuleAsyncOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [...(options.imports ?? []), TerminusModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: MessageBus,
          useFactory: (config: MessagingOptions) => new MessageBus(config),
          inject: [MESSAGING_OPTIONS],
        },
        {
          provide: TopicProvisioner,
          useFactory: (config: MessagingOptions) => new TopicProvisioner(config),
          inject: [MESSAGING_OPTIONS],
        },
        KafkaHealthIndicator,
      ],
      exports: [MESSAGING_OPTIONS, MessageBus, TopicProvisioner, KafkaHealthIndicator],
    };
  }
}
