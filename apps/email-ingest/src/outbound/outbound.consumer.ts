import { ChannelOutboundConsumer } from '@ponte/channel-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import { MESSAGING_OPTIONS, type MessagingOptions } from '@ponte/messaging';
import { EmailIngestConfig } from '../config/email-ingest.config';
import { EmailReplyService } from './email-reply.service';

/**
 * Consumes `ponte.outbound.email.v1` once a mailbox has SMTP settings; without any, replies wait in Kafka. The
 * offset is committed after the send and its status are recorded.
 */
@Injectable()
export class OutboundConsumer extends ChannelOutboundConsumer<typeof Topics.outbound.email> {
  constructor(
    @Inject(MESSAGING_OPTIONS) messaging: MessagingOptions,
    config: EmailIngestConfig,
    replies: EmailReplyService,
  ) {
    super(messaging, {
      groupId: `${config.KAFKA_TOPIC_PREFIX}email-ingest`,
      topics: [Topics.outbound.email],
      enabled: () => config.mailboxes.some((mailbox) => mailbox.smtp),
      disabledWarning: 'no mailbox has SMTP settings: replies are not sent (they wait in Kafka)',
      handle: (message) => replies.handle(message.envelope),
    });
  }
}
