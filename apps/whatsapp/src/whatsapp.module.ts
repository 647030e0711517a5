import { DynamicModule, Module } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
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
import type { WebClientFactory } from './web-js/web-client.port';
import { WebInboundService } from './web-js/web-inbound.service';
import { WebMediaCollector } from './web-js/web-media.collector';
import { MongoRemoteAuthStore } from './web-js/web-remote-auth.store';
import { WebSessionController } from './web-js/web-session.controller';
import { WEB_CLIENT_FACTORY, WebSessionRegistry } from './web-js/web-session.registry';
import { WebStatusService } from './web-js/web-status.service';
import { WhatsAppWebProvider } from './web-js/whatsapp-web.provider';
import { CustomerWindowStore } from './window/customer-window.store';
import type { Connection } from 'mongoose';

/**
 * The WhatsApp service sends what the router queues on its outbound topic, publishes what WhatsApp delivers, and the
 * state of its whatsapp-web.js sessions.
 */
export const WHATSAPP_TOPICS = [
  Topics.outbound.whatsapp,
  Topics.inboundMessage,
  Topics.deliveryStatus,
  Topics.channelStatus,
];

/** What tests replace: the WhatsApp Web side (a fake client speaking the whatsapp-web.js shapes). */
export interface WhatsappModuleOptions {
  webClientFactory?: WebClientFactory;
}

function graphClientFor(config: WhatsappConfig): GraphApiClient {
  return new GraphApiClient({
    baseUrl: config.WHATSAPP_CLOUD_GRAPH_BASE_URL,
    version: config.WHATSAPP_CLOUD_GRAPH_API_VERSION,
    // Unconfigured: never called (webhooks answer 503, nothing is consumed).
    accessToken: config.WHATSAPP_CLOUD_ACCESS_TOKEN ?? '',
    timeoutMs: config.WHATSAPP_CLOUD_SEND_TIMEOUT_MS,
    uploadTimeoutMs: config.WHATSAPP_CLOUD_MEDIA_UPLOAD_TIMEOUT_MS,
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

/** What providers are built from. */
interface ProviderDependencies {
  config: WhatsappConfig;
  graph: GraphApiClient;
  windows: CustomerWindowStore;
  webSessions: WebSessionRegistry;
  blobs: BlobStore;
  sentMessages: SentMessageStore;
}

/** One factory per provider; a provider without its settings is left out. */
const PROVIDER_FACTORIES: Record<
  WhatsAppProviderId,
  (deps: ProviderDependencies) => WhatsAppProvider | undefined
> = {
  'cloud-api': ({ config, graph, windows, blobs }) =>
    config.cloudApiConfigured
      ? new CloudApiProvider(graph, windows, blobs, {
          phoneNumberIds: config.cloudPhoneNumberIds,
          // The media part after a separate text is retried within the send, with the sender's budget.
          partRetry: {
            maxAttempts: config.WHATSAPP_CLOUD_SEND_MAX_ATTEMPTS,
            initialBackoffMs: config.WHATSAPP_CLOUD_SEND_INITIAL_BACKOFF_MS,
            maxBackoffMs: config.WHATSAPP_CLOUD_SEND_MAX_BACKOFF_MS,
          },
        })
      : undefined,
  'web-js': ({ config, webSessions, blobs, sentMessages }) =>
    webSessions.configured
      ? new WhatsAppWebProvider(webSessions, blobs, sentMessages, config.WHATSAPP_WEB_MEDIA_MAX_BYTES)
      : undefined,
};

function registryFor(deps: ProviderDependencies): WhatsAppProviderRegistry {
  const providers = Object.values(PROVIDER_FACTORIES)
    .map((factory) => factory(deps))
    .filter((provider): provider is WhatsAppProvider => provider !== undefined);
  return new WhatsAppProviderRegistry(providers);
}

/**
 * The real whatsapp-web.js, loaded only when sessions are configured (puppeteer included), so a service without
 * sessions never touches it; without sessions nothing calls the factory.
 */
async function webClientFactoryFor(
  config: WhatsappConfig,
  connection: Connection,
): Promise<WebClientFactory> {
  if (!config.webSessions.length) {
    return () => {
      throw new Error('no WhatsApp Web session is configured');
    };
  }
  const { whatsAppWebJsClientFactory } = await import('./web-js/whatsapp-web-js.client');
  return whatsAppWebJsClientFactory({
    chromiumPath: config.WHATSAPP_WEB_CHROMIUM_PATH,
    chromiumArgs: config.webChromiumArgs,
    dataDir: config.WHATSAPP_WEB_DATA_DIR,
    auth: config.WHATSAPP_WEB_AUTH,
    ...(config.WHATSAPP_WEB_AUTH === 'remote'
      ? { remoteStore: new MongoRemoteAuthStore(connection, config.WHATSAPP_WEB_DATA_DIR) }
      : {}),
    remoteBackupIntervalMs: config.WHATSAPP_WEB_REMOTE_BACKUP_INTERVAL_MS,
    qrMaxRetries: config.WHATSAPP_WEB_QR_MAX_RETRIES,
  });
}

@Module({})
export class WhatsappModule {
  static register(config: WhatsappConfig, options: WhatsappModuleOptions = {}): DynamicModule {
    return {
      module: WhatsappModule,
      imports: [PlatformModule.forRoot({ service: 'whatsapp', config, topics: WHATSAPP_TOPICS })],
      controllers: [CloudWebhookController, WebSessionController],
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
        WebMediaCollector,
        WebInboundService,
        WebStatusService,
        WebSessionRegistry,
        options.webClientFactory
          ? { provide: WEB_CLIENT_FACTORY, useValue: options.webClientFactory }
          : {
              provide: WEB_CLIENT_FACTORY,
              useFactory: (connection: Connection) => webClientFactoryFor(config, connection),
              inject: [getConnectionToken()],
            },
        {
          provide: WhatsAppProviderRegistry,
          useFactory: (
            graph: GraphApiClient,
            windows: CustomerWindowStore,
            webSessions: WebSessionRegistry,
            blobs: BlobStore,
            sentMessages: SentMessageStore,
          ) => registryFor({ config, graph, windows, webSessions, blobs, sentMessages }),
          inject: [GraphApiClient, CustomerWindowStore, WebSessionRegistry, BlobStore, SentMessageStore],
        },
      ],
    };
  }
}
