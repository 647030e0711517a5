import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import { ConsumerRunner, MESSAGING_OPTIONS, type MessagingOptions } from '@ponte/messaging';
import { CLOUD_API_SETTINGS, WhatsappConfig } from '../config/whatsapp.config';
import { WhatsAppProviderRegistry } from '../provider/whatsapp-provider.registry';
import { OutboundSenderService } from './outbound-sender.service';

type ConsumedTopic = typeof Topics.outbound.whatsapp;

/**
 * Consumes `ponte.outbound.whatsapp.v1` once a provider is configured; without one nothing is consumed, so outbound
 * messages wait in Kafka instead of failing. apps/sms consumes the same topic in its own group and takes the
 * `whatsapp:` (Twilio) accounts; this service takes the others. An offset is committed after the send and its
 * status are recorded.
 */
@Injectable()
export class OutboundConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboundConsumer.name);
  private readonly runner: ConsumerRunner<ConsumedTopic>;

  constructor(
    @Inject(MESSAGING_OPTIONS) messaging: MessagingOptions,
    config: WhatsappConfig,
    private readonly providers: WhatsAppProviderRegistry,
    private readonly sender: OutboundSenderService,
  ) {
    this.runner = new ConsumerRunner<ConsumedTopic>(messaging, {
      groupId: `${config.KAFKA_TOPIC_PREFIX}whatsapp`,
      topics: [Topics.outbound.whatsapp],
      partitionsConsumedConcurrently: 3,
      handleMessage: async (message) => {
        await this.sender.handle(message.envelope);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.providers.configured) {
      this.logger.warn(
        `No WhatsApp provider is configured (Cloud API: ${CLOUD_API_SETTINGS.join(', ')}; WhatsApp Web: ` +
          'WHATSAPP_WEB_SESSIONS): sending is off and /webhooks/whatsapp answers 503',
      );
      return;
    }
    await this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.runner.isRunning()) await this.runner.stop();
  }
}
