import { DynamicModule, Module } from '@nestjs/common';
import {
  BlobStore,
  InboundReceiptStore,
  MediaFetcher,
  MongoBlobStore,
  OutboundLedgerStore,
} from '@ponte/channel-kit';
import { Topics } from '@ponte/contracts';
import { PlatformModule } from '@ponte/platform';
import { CloudApiProvider } from './cloud-api/cloud-api.provider';
import { CloudInboundService } from './cloud-api/cloud-inbound.service';
import { CloudMediaCollector } from './cloud-api/cloud-media.collector';
import { CloudSignatureGuard } from './cloud-api/cloud-signature.guard';
import { CloudStatusService } from './cloud-api/cloud-status.service';
import { CloudWebhookController } from './cloud-api/cloud-webhook.controller';
import { GraphApiClient } from './cloud-api/graph-api.client';
import { WhatsappConfig } from './config/whatsapp.config';
import { OutboundConsumer } from './outbound/outbound.consumer';
import { OutboundSenderService } from './outbound/outbound-sender.service';
import { SentMessageStore } from './outbound/sent-message.store';
import type { WhatsAppProvider, WhatsAppProviderId } from './provider/whatsapp-provider.port';
import { WhatsAppProviderRegistry } from './provider/whatsapp-provider.registry';
import { CustomerWindowStore } from './window/customer-window.store';

/** The WhatsApp service sends what the router queues on its outbound topic and publishes what WhatsApp delivers. */
export const WHATSAPP_TOPICS = [Topics.outbound.whatsapp, Topics.inboundMessage, Topics.deliveryStatus];

function graphClientFor(config: WhatsappConfig): GraphApiClient {
  return new GraphApiClient({
    baseUrl: config.WHATSAPP_CLOUD_GRAPH_BASE_URL,
    version: config.WHATSAPP_CLOUD_GRAPH_API_VERSION,
    // Unconfigured: never called (webhooks answer 503, nothing is consumed).
    accessToken: config.WHATSAPP_CLOUD_ACCESS_TOKEN ?? '',
    timeoutMs: config.WHATSAPP_CLOUD_SEND_TIMEOUT_MS,
  });
}

function mediaFetcherFor(config: WhatsappConfig, graph: GraphApiClient): MediaFetcher {
  return new MediaFetcher({
    allowedOrigins: config.cloudMediaAllowedOrigins,
    allowedTypes: config.cloudMediaAllowedTypes,
    maxBytes: config.WHATSAPP_CLOUD_MEDIA_MAX_BYTES,
    timeoutMs: config.WHATSAPP_CLOUD_MEDIA_FETCH_TIMEOUT_MS,
    maxRedirects: config.WHATSAPP_CLOUD_MEDIA_MAX_REDIRECTS,
    // Media downloads need the bearer token; it goes only to the allow-listed Meta origins.
    credentials: { origins: config.cloudMediaAllowedOrigins, authorization: graph.authorization },
  });
}

/** One factory per provider (whatsapp-web.js sessions come next); a provider without its settings is left out. */
const PROVIDER_FACTORIES: Record<
  WhatsAppProviderId,
  (
    config: WhatsappConfig,
    graph: GraphApiClient,
    windows: CustomerWindowStore,
  ) => WhatsAppProvider | undefined
> = {
  'cloud-api': (config, graph, windows) =>
    config.cloudApiConfigured ? new CloudApiProvider(graph, windows, config.cloudPhoneNumberIds) : undefined,
};

function registryFor(
  config: WhatsappConfig,
  graph: GraphApiClient,
  windows: CustomerWindowStore,
): WhatsAppProviderRegistry {
  const providers = Object.values(PROVIDER_FACTORIES)
    .map((factory) => factory(config, graph, windows))
    .filter((provider): provider is WhatsAppProvider => provider !== undefined);
  return new WhatsAppProviderRegistry(providers);
}

@Module({})
export class WhatsappModule {
  static register(config: WhatsappConfig): DynamicModule {
    return {
      module: WhatsappModule,
      imports: [PlatformModule.forRoot({ service: 'whatsapp', config, topics: WHATSAPP_TOPICS })],
      controllers: [CloudWebhookController],
      providers: [
        CloudSignatureGuard,
        InboundReceiptStore.provider('whatsapp_inbound_receipts'),
        CloudInboundService,
        CloudMediaCollector,
        CloudStatusService,
        CustomerWindowStore,
        OutboundLedgerStore.provider('whatsapp_outbound_ledger'),
        SentMessageStore,
        OutboundSenderService,
        OutboundConsumer,
        { provide: BlobStore, useClass: MongoBlobStore },
        { provide: GraphApiClient, useFactory: () => graphClientFor(config) },
        {
          provide: MediaFetcher,
          useFactory: (graph: GraphApiClient) => mediaFetcherFor(config, graph),
          inject: [GraphApiClient],
        },
        {
          provide: WhatsAppProviderRegistry,
          useFactory: (graph: GraphApiClient, windows: CustomerWindowStore) =>
            registryFor(config, graph, windows),
          inject: [GraphApiClient, CustomerWindowStore],
        },
      ],
    };
  }
}
