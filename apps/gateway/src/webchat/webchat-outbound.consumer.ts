import { Inject, Injectable } from '@nestjs/common';
import { ChannelOutboundConsumer } from '@ponte/channel-kit';
import { Topics } from '@ponte/contracts';
import { MESSAGING_OPTIONS, type MessagingOptions } from '@ponte/messaging';
import { GatewayConfig } from '../config/gateway.config';
import { WebchatService } from './webchat.service';

/**
 * The web chat's outbound consumer, shared by the gateway instances (one consumer group): an agent's message taken from
 * `ponte.outbound.webchat.v1` is `sent` — from then on it is in the visitor's history, whichever instance their socket
 * is on. The push to the sockets is WebchatServer's, on every instance. Without an inbox nothing is consumed.
 */
@Injectable()
export class WebchatOutboundConsumer extends ChannelOutboundConsumer<typeof Topics.outbound.webchat> {
  constructor(
    @Inject(MESSAGING_OPTIONS) messaging: MessagingOptions,
    config: GatewayConfig,
    webchat: WebchatService,
  ) {
    super(messaging, {
      groupId: `${config.KAFKA_TOPIC_PREFIX}gateway-webchat`,
      topics: [Topics.outbound.webchat],
      enabled: () => config.webchatInboxes.length > 0,
      disabledWarning:
        'No web chat inbox is configured (GATEWAY_WEBCHAT_INBOXES=[]): web chat replies wait in Kafka',
      handle: async ({ envelope }) => {
        const message = envelope.data;
        await webchat.publishStatus(
          { tenantId: envelope.tenantId, inboxId: message.channelAccountId },
          message.messageId,
          'sent',
          message.conversationId,
        );
      },
    });
  }
}
