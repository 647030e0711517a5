import { DynamicModule, Module } from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import { PlatformModule } from '@ponte/platform';
import { RouterConfig } from './config/router.config';

/** The router reads every inbound message, command and delivery status, and writes conversation events and outbound messages. */
export const ROUTER_TOPICS = [Topics.inboundMessage, Topics.agentCommand, Topics.deliveryStatus, Topics.conversationEvent, ...Object.values(Topics.outbound)];

@Module({})
export class RouterModule {
  static register(config: RouterConfig): DynamicModule {
    return {
      module: RouterModule,
      imports: [PlatformModule.forRoot({ service: 'router', config, topics: ROUTER_TOPICS })],
    };
  }
}
