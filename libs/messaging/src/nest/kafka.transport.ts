import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { TopicName } from '@ponte/contracts';
import { lastValueFrom } from 'rxjs';
import type { MessagingOptions } from '../config/messaging.options';
import type { ConsumedMessage } from '../consumer/consumed-message';
import { ConsumerRunner } from '../consumer/consumer.runner';
import { KafkaMessageContext } from './kafka-message.context';

export interface KafkaTransportOptions {
  readonly messaging: MessagingOptions;
  readonly groupId: string;
  readonly partitionsConsumedConcurrently?: number;
}

type TransportStatus = 'connected' | 'disconnected';

/**
 * Lets apps declare `@EventPattern(Topics.x)` handlers while the ConsumerRunner keeps its guarantees: the
 * offset is committed only after the handler's promise or observable completed, and a throw (including a pipe's
 * validation error) goes through retry and the DLQ. Nest's own ServerKafka cannot do that (see README).
 */
export class KafkaTransport
  extends Server<Record<string, never>, TransportStatus>
  implements CustomTransportStrategy
{
  private runner?: ConsumerRunner<TopicName>;

  constructor(private readonly options: KafkaTransportOptions) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(() => callback(), callback);
  }

  async close(): Promise<void> {
    await this.runner?.stop();
    this.runner = undefined;
    this._status$.next('disconnected');
  }

  on(): never {
    throw new Error('KafkaTransport has no events to listen to; use the health indicator');
  }

  /** The Kafka client stays inside @ponte/messaging. */
  unwrap<T>(): T {
    throw new Error('KafkaTransport does not expose its Kafka client');
  }

  private async start(): Promise<void> {
    const topics = [...this.messageHandlers.keys()] as TopicName[];
    if (topics.length === 0) return;
    this.runner = new ConsumerRunner(this.options.messaging, {
      groupId: this.options.groupId,
      topics,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      handleMessage: (message) => this.dispatch(message),
    });
    await this.runner.start();
    this._status$.next('connected');
  }

  private async dispatch(message: ConsumedMessage): Promise<void> {
    const handler = this.getHandlerByPattern(message.topic);
    if (!handler) throw new Error(`No handler for ${message.topic}`);
    // Nest's exception layer turns a throw into an erroring observable; lastValueFrom rethrows it here.
    const result$ = this.transformToObservable(handler(message.envelope, new KafkaMessageContext([message])));
    await lastValueFrom(result$, { defaultValue: undefined });
  }
}
