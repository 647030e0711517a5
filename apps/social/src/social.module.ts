import { type DynamicModule, Module } from '@nestjs/common';
import { BlobStore, InboundReceiptStore, MongoBlobStore, OutboundLedgerStore } from '@ponte/channel-kit';
import { Topics } from '@ponte/contracts';
import { PlatformModule } from '@ponte/platform';
import type { SocialChannel } from './config/meta-accounts';
import type { SocialConfig } from './config/social.config';
import { GraphSendClient } from './graph-api/graph-send.client';
import { GraphSendProvider } from './graph-api/graph-send.provider';
import { InboundMediaCollector } from './inbound/inbound-media.collector';
import { MessagingEventService } from './inbound/messaging-event.service';
import { MetaSendProvider } from './outbound/meta-send.port';
import { OutboundConsumer } from './outbound/outbound.consumer';
import { OutboundSenderService } from './outbound/outbound-sender.service';
import { DeliveryReceiptService } from './receipts/delivery-receipt.service';
import { SentMessageStore } from './receipts/sent-message.store';
import { MetaSignatureGuard } from './webhook/meta-signature.guard';
import { MetaWebhookController } from './webhook/meta-webhook.controller';
import { CustomerWindowStore } from './window/customer-window.store';

/** The social service sends what the router queues for Messenger and Instagram and publishes what Meta delivers. */
export const SOCIAL_TOPICS = [
  Topics.outbound.messenger,
  Topics.outbound.instagram,
  Topics.inboundMessage,
  Topics.deliveryStatus,
];

function graphSendProviderFor(config: SocialConfig): GraphSendProvider {
  const clientOf = (channel: SocialChannel): GraphSendClient =>
    new GraphSendClient({
      baseUrl: config.graphBaseUrlOf(channel),
      version: config.META_GRAPH_API_VERSION,
      timeoutMs: config.META_SEND_TIMEOUT_MS,
    });
  return new GraphSendProvider({ messenger: clientOf('messenger'), instagram: clientOf('instagram') });
}

@Module({})
export class SocialModule {
  static register(config: SocialConfig): DynamicModule {
    return {
      module: SocialModule,
      imports: [PlatformModule.forRoot({ service: 'social', config, topics: SOCIAL_TOPICS })],
      controllers: [MetaWebhookController],
      providers: [
        MetaSignatureGuard,
        MessagingEventService,
        InboundMediaCollector,
        DeliveryReceiptService,
        SentMessageStore,
        CustomerWindowStore,
        InboundReceiptStore.provider('social_inbound_receipts'),
        OutboundLedgerStore.provider('social_outbound_ledger'),
        OutboundSenderService,
        OutboundConsumer,
        { provide: BlobStore, useClass: MongoBlobStore },
        { provide: MetaSendProvider, useFactory: () => graphSendProviderFor(config) },
      ],
    };
  }
}
