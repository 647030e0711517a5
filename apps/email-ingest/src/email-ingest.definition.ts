import type { ServiceDefinition } from '@ponte/platform';
import { EmailIngestConfig } from './config/email-ingest.config';
import { EmailIngestModule } from './email-ingest.module';

export const emailIngestService: ServiceDefinition<EmailIngestConfig> = {
  name: 'email-ingest',
  configClass: EmailIngestConfig,
  module: (config) => EmailIngestModule.register(config),
};
