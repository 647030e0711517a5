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
import { BotApiProvider } from './bot-api/bot-api.provider';
import { TelegramBots } from './bot-api/telegram-bots';
import { TelegramWebhookController } from './bot-api/telegram-webhook.controller';
import { UpdateDispatcher } from './bot-api/update-dispatcher';
import { UpdatePoller } from './bot-api/update-poller';
import { WebhookRegistrar } from './bot-api/webhook-registrar';
import { WebhookSecretGuard } from './bot-api/webhook-secret.guard';
import { TelegramConfig } from './config/telegram.config';
import { InboundUpdateService } from './inbound/inbound-update.service';
import { fetcherAllowedTypes, InboundMediaCollector } from './media/inbound-media.collector';
import { OutboundMediaResolver } from './outbound/outbound-media.resolver';
import { OutboundConsumer } from './outbound/outbound.consumer';
import { OutboundSenderService } from './outbound/outbound-sender.service';
import { TelegramProvider } from './outbound/telegram-provider.port';

/** The telegram service sends what the router queues on its outbound topic and publishes what its bots receive. */
export const TELEGRAM_TOPICS = [Topics.outbound.telegram, Topics.inboundMessage, Topics.deliveryStatus];

function mediaFetcherFor(config: TelegramConfig): MediaFetcher {
  return new MediaFetcher({
    // File downloads come from the Bot API origin and nowhere else; the token is in the path, not a header.
    allowedOrigins: [config.TELEGRAM_API_ROOT],
    allowedTypes: fetcherAllowedTypes(config.mediaAllowedTypes),
    maxBytes: config.TELEGRAM_MEDIA_MAX_BYTES,
    timeoutMs: config.TELEGRAM_MEDIA_FETCH_TIMEOUT_MS,
    maxRedirects: config.TELEGRAM_MEDIA_MAX_REDIRECTS,
  });
}

@Module({})
export class TelegramModule {
  static register(config: TelegramConfig): DynamicModule {
    return {
      module: TelegramModule,
      imports: [PlatformModule.forRoot({ service: 'telegram', config, topics: TELEGRAM_TOPICS })],
      controllers: [TelegramWebhookController],
      providers: [
        TelegramBots,
        WebhookSecretGuard,
        UpdateDispatcher,
        UpdatePoller,
        WebhookRegistrar,
        InboundReceiptStore.provider('telegram_inbound_receipts'),
        InboundUpdateService,
        InboundMediaCollector,
        OutboundLedgerStore.provider('telegram_outbound_ledger'),
        OutboundMediaResolver,
        OutboundSenderService,
        OutboundConsumer,
        { provide: BlobStore, useClass: MongoBlobStore },
        { provide: MediaFetcher, useFactory: () => mediaFetcherFor(config) },
        {
          provide: TelegramProvider,
          useFactory: (bots: TelegramBots) =>
            new BotApiProvider(bots, {
              timeoutMs: config.TELEGRAM_SEND_TIMEOUT_MS,
              maxRetryAfterSeconds: config.TELEGRAM_SEND_MAX_RETRY_AFTER_SECONDS,
            }),
          inject: [TelegramBots],
        },
      ],
    };
  }
}
