import { DynamicModule, Module } from '@nestjs/common';
import {
  BlobStore,
  InboundReceiptStore,
  MediaFetcher,
  MongoBlobStore,
  OutboundLedgerStore,
  SendFailure,
} from '@ponte/channel-kit';
import { Topics } from '@ponte/contracts';
import { PlatformModule } from '@ponte/platform';
import { randomBytes } from 'node:crypto';
import { SmsConfig } from './config/sms.config';
import { InboundMessageService } from './inbound/inbound-message.service';
import { InboundMediaCollector } from './media/inbound-media.collector';
import { mediaUrlKey, MediaUrlSigner } from './media/media-url.signer';
import { OutboundMediaController } from './media/outbound-media.controller';
import { OutboundMediaResolver } from './outbound/outbound-media.resolver';
import { OutboundConsumer } from './outbound/outbound.consumer';
import { OutboundSenderService } from './outbound/outbound-sender.service';
import { SmsProvider } from './outbound/sms-provider.port';
import { StatusCallbackService } from './status/status-callback.service';
import { createTwilioClient } from './twilio/twilio-api.client';
import { TwilioSignatureGuard } from './twilio/twilio-signature.guard';
import { TwilioWebhookController } from './twilio/twilio-webhook.controller';
import { TwilioProvider } from './twilio/twilio.provider';

/** The SMS service sends what the router queues on its outbound topics and publishes what Twilio delivers. */
export const SMS_TOPICS = [
  Topics.outbound.sms,
  Topics.outbound.whatsapp,
  Topics.inboundMessage,
  Topics.deliveryStatus,
];

/** Stands in for Twilio while it is not configured; the outbound consumer does not run then, so it is never called. */
class UnconfiguredSmsProvider extends SmsProvider {
  send(): Promise<never> {
    return Promise.reject(
      new SendFailure('retryable', 'PONTE_TWILIO_NOT_CONFIGURED', 'Twilio is not configured'),
    );
  }
}

function smsProviderFor(config: SmsConfig): SmsProvider {
  const { TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken } = config;
  if (!config.twilioConfigured || !accountSid || !authToken) return new UnconfiguredSmsProvider();
  return new TwilioProvider(
    createTwilioClient({
      accountSid,
      authToken,
      apiBaseUrl: config.TWILIO_API_BASE_URL,
      timeoutMs: config.SMS_SEND_TIMEOUT_MS,
    }),
  );
}

function mediaFetcherFor(config: SmsConfig): MediaFetcher {
  const { TWILIO_ACCOUNT_SID: username, TWILIO_AUTH_TOKEN: password } = config;
  return new MediaFetcher({
    allowedOrigins: config.mediaAllowedOrigins,
    allowedTypes: config.mediaAllowedTypes,
    maxBytes: config.SMS_MEDIA_MAX_BYTES,
    timeoutMs: config.SMS_MEDIA_FETCH_TIMEOUT_MS,
    maxRedirects: config.SMS_MEDIA_MAX_REDIRECTS,
    // Accounts with "Enforce HTTP Auth on Media URLs" need the credentials; only Twilio's API origin gets them.
    ...(username && password
      ? {
          credentials: {
            origins: [config.TWILIO_API_BASE_URL],
            authorization: basicAuthorization(username, password),
          },
        }
      : {}),
  });
}

function mediaUrlSignerFor(config: SmsConfig): MediaUrlSigner {
  const secret = config.mediaUrlSecret;
  return new MediaUrlSigner({
    // Neither secret means no Twilio either: nothing is sent, so no URL is signed, and a key no one knows refuses all.
    key: secret ? mediaUrlKey(secret) : randomBytes(32),
    ...(config.SMS_PUBLIC_BASE_URL ? { publicBaseUrl: config.SMS_PUBLIC_BASE_URL } : {}),
    ttlSeconds: config.SMS_MEDIA_URL_TTL_SECONDS,
  });
}

function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

@Module({})
export class SmsModule {
  static register(config: SmsConfig): DynamicModule {
    return {
      module: SmsModule,
      imports: [PlatformModule.forRoot({ service: 'sms', config, topics: SMS_TOPICS })],
      controllers: [TwilioWebhookController, OutboundMediaController],
      providers: [
        TwilioSignatureGuard,
        InboundReceiptStore.provider('twilio_inbound_receipts'),
        InboundMessageService,
        InboundMediaCollector,
        StatusCallbackService,
        OutboundLedgerStore.provider('twilio_outbound_ledger'),
        OutboundMediaResolver,
        OutboundSenderService,
        OutboundConsumer,
        { provide: BlobStore, useClass: MongoBlobStore },
        { provide: MediaFetcher, useFactory: () => mediaFetcherFor(config) },
        { provide: SmsProvider, useFactory: () => smsProviderFor(config) },
        { provide: MediaUrlSigner, useFactory: () => mediaUrlSignerFor(config) },
      ],
    };
  }
}
