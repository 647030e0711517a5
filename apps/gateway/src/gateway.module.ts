import { DynamicModule, Module } from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import { PlatformModule } from '@ponte/platform';
import { GatewayConfig } from './config/gateway.config';

/** The gateway reads conversation events for the agents' screens and writes agent commands and web-chat messages. */
export const GATEWAY_TOPICS = [Topics.conversationEvent, Topics.agentCommand, Topics.inboundMessage, Topics.outbound.webchat, Topics.deliveryStatus];

@Module({})
export class GatewayModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [PlatformModule.forRoot({ service: 'gateway', config, topics: GATEWAY_TOPICS })],
    };
  }
}
