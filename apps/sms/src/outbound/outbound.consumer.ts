import { ChannelOutboundConsumer } from '@ponte/channel-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import { MESSAGING_OPTIONS, type MessagingOptions } from '@ponte/messaging';
import { SmsConfig } from '../config/sms.config';
import { OutboundSenderService } from './outbound-sender.service';

/** SMS, and WhatsApp through Twilio (`whatsapp:` sender accounts; the other WhatsApp accounts are apps/whatsapp's). */
export const SMS_CONSUMED_TOPICS = [Topics.outbound.sms, Topics.outbound.whatsapp] as const;

/**
 * Consumes the outbound topics once Twilio is configured; without credentials nothing is consumed, so outbound
 * messages wait in Kafka instead of failing. An offset is committed after the send and its status are recorded.
 */
@Injectable()
export class OutboundConsumer extends ChannelOutboundConsumer<(typeof SMS_CONSUMED_TOPICS)[number]> {
  constructor(
    @Inject(MESSAGING_OPTIONS) messaging: MessagingOptions,
    config: SmsConfig,
    sender: OutboundSenderService,
  ) {
    super(messaging, {
      groupId: `${config.KAFKA_TOPIC_PREFIX}sms`,
      topics: SMS_CONSUMED_TOPICS,
      enabled: () => config.twilioConfigured,
      disabledWarning:
        'Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, SMS_PUBLIC_BASE_URL): sending is off and ' +
        'the webhooks answer 503',
      handle: (message) => sender.handle(message.envelope),
    });
  }
}
