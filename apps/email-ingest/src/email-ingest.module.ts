import { DynamicModule, Module } from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import { PlatformModule } from '@ponte/platform';
import { EmailIngestConfig } from './config/email-ingest.config';

/** The e-mail service sends replies queued on its outbound topic and publishes what arrives by IMAP. */
export const EMAIL_INGEST_TOPICS = [Topics.outbound.email, Topics.inboundMessage, Topics.deliveryStatus];

@Module({})
export class EmailIngestModule {
  static register(config: EmailIngestConfig): DynamicModule {
    return {
      module: EmailIngestModule,
      imports: [PlatformModule.forRoot({ service: 'email-ingest', config, topics: EMAIL_INGEST_TOPICS })],
    };
  }
}
