import { ChannelOutboundConsumer } from '@ponte/channel-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import { MESSAGING_OPTIONS, type MessagingOptions } from '@ponte/messaging';
import { SocialConfig } from '../config/social.config';
import { OutboundSenderService } from './outbound-sender.service';

/**
 * Consumes `ponte.outbound.messenger.v1` and `ponte.outbound.instagram.v1` once the service is configured; without
 * configuration nothing is consumed, so outbound messages wait in Kafka instead of failing. An offset is committed
 * after the send and its status are recorded.
 */
@Injectable()
export class OutboundConsumer extends ChannelOutboundConsumer<
  typeof Topics.outbound.messenger | typeof Topics.outbound.instagram
> {
  constructor(
    @Inject(MESSAGING_OPTIONS) messaging: MessagingOptions,
    config: SocialConfig,
    sender: OutboundSenderService,
  ) {
    super(messaging, {
      groupId: `${config.KAFKA_TOPIC_PREFIX}social`,
      topics: [Topics.outbound.messenger, Topics.outbound.instagram],
      enabled: () => config.configured,
      disabledWarning:
        'Messenger and Instagram are not configured (META_APP_SECRET, META_VERIFY_TOKEN, META_PAGES / ' +
        'META_INSTAGRAM_ACCOUNTS): sending is off and /webhooks/meta answers 503',
      handle: (message) => sender.handle(message.envelope),
    });
  }
}
