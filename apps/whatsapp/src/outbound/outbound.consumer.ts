import { ChannelOutboundConsumer } from '@ponte/channel-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import { MESSAGING_OPTIONS, type MessagingOptions } from '@ponte/messaging';
import { CLOUD_API_SETTINGS, WhatsappConfig } from '../config/whatsapp.config';
import { WhatsAppProviderRegistry } from '../provider/whatsapp-provider.registry';
import { OutboundSenderService } from './outbound-sender.service';

/**
 * Consumes `ponte.outbound.whatsapp.v1` once a provider is configured; without one nothing is consumed, so outbound
 * messages wait in Kafka instead of failing. apps/sms consumes the same topic in its own group and takes the
 * `whatsapp:` (Twilio) accounts; this service takes the others. An offset is committed after the send and its
 * status are recorded.
 */
@Injectable()
export class OutboundConsumer extends ChannelOutboundConsumer<typeof Topics.outbound.whatsapp> {
  constructor(
    @Inject(MESSAGING_OPTIONS) messaging: MessagingOptions,
    config: WhatsappConfig,
    providers: WhatsAppProviderRegistry,
    sender: OutboundSenderService,
  ) {
    super(messaging, {
      groupId: `${config.KAFKA_TOPIC_PREFIX}whatsapp`,
      topics: [Topics.outbound.whatsapp],
      enabled: () => providers.configured,
      disabledWarning:
        `No WhatsApp provider is configured (Cloud API: ${CLOUD_API_SETTINGS.join(', ')}; WhatsApp Web: ` +
        'WHATSAPP_WEB_SESSIONS): sending is off and /webhooks/whatsapp answers 503',
      handle: (message) => sender.handle(message.envelope),
    });
  }
}
