import type { ServiceDefinition } from '@ponte/platform';
import { TelegramConfig } from './config/telegram.config';
import { TelegramModule } from './telegram.module';

export const telegramService: ServiceDefinition<TelegramConfig> = {
  name: 'telegram',
  configClass: TelegramConfig,
  module: (config) => TelegramModule.register(config),
};
