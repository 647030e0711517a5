import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import { ConsumerRunner, MESSAGING_OPTIONS, type MessagingOptions } from '@ponte/messaging';
import { TelegramConfig } from '../config/telegram.config';
import { OutboundSenderService } from './outbound-sender.service';

type ConsumedTopic = typeof Topics.outbound.telegram;

/**
 * Consumes `ponte.outbound.telegram.v1` once a bot is configured; without one nothing is consumed, so outbound
 * messages wait in Kafka instead of failing. An offset is committed after the send and its status are recorded.
 */
@Injectable()
export class OutboundConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboundConsumer.name);
  private readonly runner: ConsumerRunner<ConsumedTopic>;

  constructor(
    @Inject(MESSAGING_OPTIONS) messaging: MessagingOptions,
    private readonly config: TelegramConfig,
    private readonly sender: OutboundSenderService,
  ) {
    this.runner = new ConsumerRunner<ConsumedTopic>(messaging, {
      groupId: `${config.KAFKA_TOPIC_PREFIX}telegram`,
      topics: [Topics.outbound.telegram],
      partitionsConsumedConcurrently: 3,
      handleMessage: async (message) => {
        await this.sender.handle(message.envelope);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.configured) {
      this.logger.warn(
        'No Telegram bot is configured (TELEGRAM_BOTS): sending is off and every webhook answers 404',
      );
      return;
    }
    await this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.runner.isRunning()) await this.runner.stop();
  }
}
