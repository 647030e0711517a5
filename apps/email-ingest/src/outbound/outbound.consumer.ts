import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import { ConsumerRunner, MESSAGING_OPTIONS, type MessagingOptions } from '@ponte/messaging';
import { EmailIngestConfig } from '../config/email-ingest.config';
import { EmailReplyService } from './email-reply.service';

type ConsumedTopic = typeof Topics.outbound.email;

/**
 * Consumes `ponte.outbound.email.v1` once a mailbox has SMTP settings; without any, replies wait in Kafka. The
 * offset is committed after the send and its status are recorded.
 */
@Injectable()
export class OutboundConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboundConsumer.name);
  private readonly runner: ConsumerRunner<ConsumedTopic>;

  constructor(
    @Inject(MESSAGING_OPTIONS) messaging: MessagingOptions,
    private readonly config: EmailIngestConfig,
    replies: EmailReplyService,
  ) {
    this.runner = new ConsumerRunner<ConsumedTopic>(messaging, {
      groupId: `${config.KAFKA_TOPIC_PREFIX}email-ingest`,
      topics: [Topics.outbound.email],
      partitionsConsumedConcurrently: 3,
      handleMessage: async (message) => {
        await replies.handle(message.envelope);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.mailboxes.some((mailbox) => mailbox.smtp)) {
      this.logger.warn('no mailbox has SMTP settings: replies are not sent (they wait in Kafka)');
      return;
    }
    await this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.runner.isRunning()) await this.runner.stop();
  }
}
