import type { ServiceDefinition } from '@ponte/platform';
import { WhatsappConfig } from './config/whatsapp.config';
import { WhatsappModule } from './whatsapp.module';

export const whatsappService: ServiceDefinition<WhatsappConfig> = {
  name: 'whatsapp',
  configClass: WhatsappConfig,
  module: (config) => WhatsappModule.register(config),
};
