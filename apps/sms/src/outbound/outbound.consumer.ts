import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import { ConsumerRunner, MESSAGING_OPTIONS, type MessagingOptions } from '@ponte/messaging';
import { SmsConfig } from '../config/sms.config';
import { OutboundSenderService } from './outbound-sender.service';

/** SMS, and WhatsApp through Twilio (`whatsapp:` sender accounts; the other WhatsApp accounts are apps/whatsapp's). */
export const SMS_CONSUMED_TOPICS = [Topics.outbound.sms, Topics.outbound.whatsapp] as const;
type ConsumedTopic = (typeof SMS_CONSUMED_TOPICS)[number];

/**
 * Consumes the outbound topics once Twilio is configured; without credentials nothing is consumed, so outbound
 * messages wait in Kafka instead of failing. An offset is committed after the send and its status are recorded.
 */
@Injectable()
export class OutboundConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboundConsumer.name);
  private readonly runner: ConsumerRunner<ConsumedTopic>;

  constructor(
    @Inject(MESSAGING_OPTIONS) messaging: MessagingOptions,
    private readonly config: SmsConfig,
    private readonly sender: OutboundSenderService,
  ) {
    this.runner = new ConsumerRunner<ConsumedTopic>(messaging, {
      groupId: `${config.KAFKA_TOPIC_PREFIX}sms`,
      topics: SMS_CONSUMED_TOPICS,
      partitionsConsumedConcurrently: 3,
      handleMessage: async (message) => {
        await this.sender.handle(message.envelope);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.twilioConfigured) {
      this.logger.warn(
        'Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, SMS_PUBLIC_BASE_URL): sending is off and ' +
          'the webhooks answer 503',
      );
      return;
    }
    await this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.runner.isRunning()) await this.runner.stop();
  }
}
