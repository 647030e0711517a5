import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import {
  type ConsumedMessage,
  ConsumerRunner,
  MESSAGING_OPTIONS,
  type MessagingOptions,
} from '@ponte/messaging';
import { RouterConfig } from '../config/router.config';
import { CommandHandler } from '../commands/command.handler';
import { DeliveryStatusHandler } from '../timeline/delivery-status.handler';
import { QueueSeedLoader } from '../routing/queue-seed.loader';
import { InboundPipeline } from './inbound.pipeline';

export const ROUTER_CONSUMED_TOPICS = [
  Topics.inboundMessage,
  Topics.agentCommand,
  Topics.deliveryStatus,
] as const;
type RouterTopic = (typeof ROUTER_CONSUMED_TOPICS)[number];

/**
 * The router's Kafka consumer. It uses the ConsumerRunner directly rather than @EventPattern handlers because it
 * consumes in batches (records of a partition in order, offsets committed after the batch's effects are stored);
 * a failing batch is retried record by record, so a poison message goes to the DLQ alone.
 */
@Injectable()
export class RouterConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runner: ConsumerRunner<RouterTopic>;

  constructor(
    @Inject(MESSAGING_OPTIONS) messaging: MessagingOptions,
    config: RouterConfig,
    private readonly inbound: InboundPipeline,
    private readonly commands: CommandHandler,
    private readonly statuses: DeliveryStatusHandler,
    private readonly seed: QueueSeedLoader,
  ) {
    this.runner = new ConsumerRunner<RouterTopic>(messaging, {
      groupId: `${config.KAFKA_TOPIC_PREFIX}router`,
      topics: ROUTER_CONSUMED_TOPICS,
      partitionsConsumedConcurrently: config.ROUTER_PARTITIONS_IN_PARALLEL,
      maxBatchSize: config.ROUTER_MAX_BATCH_SIZE,
      handleBatch: (messages) => this.handleBatch(messages),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.seed.apply();
    await this.runner.start();
  }

  /** Stops consuming (the batch in hand finishes and is committed) before the producer and MongoDB close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }

  private async handleBatch(messages: readonly ConsumedMessage<RouterTopic>[]): Promise<void> {
    // A batch comes from one partition of one topic; inbound messages are handled as a group, the rest in order.
    const inbound = messages.flatMap((message) =>
      message.topic === Topics.inboundMessage ? [message.envelope] : [],
    );
    if (inbound.length === messages.length) return this.inbound.handleBatch(inbound);
    for (const message of messages) {
      switch (message.topic) {
        case Topics.inboundMessage:
          await this.inbound.handle(message.envelope);
          break;
        case Topics.agentCommand:
          await this.commands.handle(message.envelope);
          break;
        case Topics.deliveryStatus:
          await this.statuses.handle(message.envelope);
          break;
      }
    }
  }
}
