import type { ServiceDefinition } from '@ponte/platform';
import { SocialConfig } from './config/social.config';
import { SocialModule } from './social.module';

export const socialService: ServiceDefinition<SocialConfig> = {
  name: 'social',
  configClass: SocialConfig,
  module: (config) => SocialModule.register(config),
};
