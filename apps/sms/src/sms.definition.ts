import type { ServiceDefinition } from '@ponte/platform';
import { SmsConfig } from './config/sms.config';
import { SmsModule } from './sms.module';

export const smsService: ServiceDefinition<SmsConfig> = {
  name: 'sms',
  configClass: SmsConfig,
  module: (config) => SmsModule.register(config),
};
