import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import { ConsumerRunner, MESSAGING_OPTIONS, type MessagingOptions } from '@ponte/messaging';
import { SocialConfig } from '../config/social.config';
import { OutboundSenderService } from './outbound-sender.service';

type ConsumedTopic = typeof Topics.outbound.messenger | typeof Topics.outbound.instagram;

/**
 * Consumes `ponte.outbound.messenger.v1` and `ponte.outbound.instagram.v1` once the service is configured; without
 * configuration nothing is consumed, so outbound messages wait in Kafka instead of failing. An offset is committed
 * after the send and its status are recorded.
 */
@Injectable()
export class OutboundConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboundConsumer.name);
  private readonly runner: ConsumerRunner<ConsumedTopic>;

  constructor(
    @Inject(MESSAGING_OPTIONS) messaging: MessagingOptions,
    private readonly config: SocialConfig,
    private readonly sender: OutboundSenderService,
  ) {
    this.runner = new ConsumerRunner<ConsumedTopic>(messaging, {
      groupId: `${config.KAFKA_TOPIC_PREFIX}social`,
      topics: [Topics.outbound.messenger, Topics.outbound.instagram],
      partitionsConsumedConcurrently: 3,
      handleMessage: async (message) => {
        await this.sender.handle(message.envelope);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.configured) {
      this.logger.warn(
        'Messenger and Instagram are not configured (META_APP_SECRET, META_VERIFY_TOKEN, META_PAGES / META_INSTAGRAM_ACCOUNTS): sending is off and /webhooks/meta answers 503',
      );
      return;
    }
    await this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.runner.isRunning()) await this.runner.stop();
  }
}
