import { ChannelOutboundConsumer } from '@ponte/channel-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import { MESSAGING_OPTIONS, type MessagingOptions } from '@ponte/messaging';
import { TelegramConfig } from '../config/telegram.config';
import { OutboundSenderService } from './outbound-sender.service';

/**
 * Consumes `ponte.outbound.telegram.v1` once a bot is configured; without one nothing is consumed, so outbound
 * messages wait in Kafka instead of failing. An offset is committed after the send and its status are recorded.
 */
@Injectable()
export class OutboundConsumer extends ChannelOutboundConsumer<typeof Topics.outbound.telegram> {
  constructor(
    @Inject(MESSAGING_OPTIONS) messaging: MessagingOptions,
    config: TelegramConfig,
    sender: OutboundSenderService,
  ) {
    super(messaging, {
      groupId: `${config.KAFKA_TOPIC_PREFIX}telegram`,
      topics: [Topics.outbound.telegram],
      enabled: () => config.configured,
      disabledWarning:
        'No Telegram bot is configured (TELEGRAM_BOTS): sending is off and every webhook answers 404',
      handle: (message) => sender.handle(message.envelope),
    });
  }
}
