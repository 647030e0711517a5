import { type BeforeApplicationShutdown, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { OutboundTopicName } from '@ponte/contracts';
import { type ConsumedMessage, ConsumerRunner, type MessagingOptions } from '@ponte/messaging';

export interface OutboundConsumerOptions<T extends OutboundTopicName> {
  /** The consumer group, KAFKA_TOPIC_PREFIX included: one per service, so its instances share the partitions. */
  groupId: string;
  topics: readonly T[];
  /** Whether the service can send at all; read at start-up. */
  enabled: () => boolean;
  /** Logged instead of consuming when it cannot: outbound messages wait in Kafka rather than fail. */
  disabledWarning: string;
  handle: (message: ConsumedMessage<T>) => Promise<unknown>;
}

/**
 * The outbound consumer every channel service has: its `ponte.outbound.<channel>.v1` topics, three partitions side
 * by side, an offset committed only once the handler recorded the send and its status, nothing consumed while the
 * service is not configured, and the message in hand finished on shutdown. Services extend it with their options.
 */
export abstract class ChannelOutboundConsumer<T extends OutboundTopicName>
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(this.constructor.name);
  private readonly runner: ConsumerRunner<T>;

  protected constructor(
    messaging: MessagingOptions,
    private readonly options: OutboundConsumerOptions<T>,
  ) {
    this.runner = new ConsumerRunner<T>(messaging, {
      groupId: options.groupId,
      topics: options.topics,
      partitionsConsumedConcurrently: 3,
      handleMessage: async (message) => {
        await options.handle(message);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.enabled()) {
      this.logger.warn(this.options.disabledWarning);
      return;
    }
    await this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.runner.isRunning()) await this.runner.stop();
  }
}
