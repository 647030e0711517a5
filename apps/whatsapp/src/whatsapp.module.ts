import { DynamicModule, Module } from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import { PlatformModule } from '@ponte/platform';
import { WhatsappConfig } from './config/whatsapp.config';

/** The WhatsApp service sends what the router queues on its outbound topic and publishes what WhatsApp delivers. */
export const WHATSAPP_TOPICS = [Topics.outbound.whatsapp, Topics.inboundMessage, Topics.deliveryStatus];

@Module({})
export class WhatsappModule {
  static register(config: WhatsappConfig): DynamicModule {
    return {
      module: WhatsappModule,
      imports: [PlatformModule.forRoot({ service: 'whatsapp', config, topics: WHATSAPP_TOPICS })],
    };
  }
}
