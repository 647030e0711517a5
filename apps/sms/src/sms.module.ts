import { DynamicModule, Module } from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import { PlatformModule } from '@ponte/platform';
import { SmsConfig } from './config/sms.config';

/** The SMS service sends what the router queues on its outbound topic and publishes what Twilio delivers. */
export const SMS_TOPICS = [Topics.outbound.sms, Topics.inboundMessage, Topics.deliveryStatus];

@Module({})
export class SmsModule {
  static register(config: SmsConfig): DynamicModule {
    return {
      module: SmsModule,
      imports: [PlatformModule.forRoot({ service: 'sms', config, topics: SMS_TOPICS })],
    };
  }
}
