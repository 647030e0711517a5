import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Topics } from '@ponte/contracts';
import { PlatformModule } from '@ponte/platform';
import { AssignmentModule } from './assignment';
import { RouterConfig } from './config/router.config';
import { Conversation, ConversationSchema } from './conversations/conversation.schema';
import { CustomerThread, CustomerThreadSchema } from './conversations/customer-thread.schema';
import { EmailMessageId, EmailMessageIdSchema } from './timeline/email-message-id.schema';
import { ConversationStore } from './conversations/conversation.store';
import { ConversationEventsPublisher } from './events/conversation-events.publisher';
import { IdentityModule } from './identity';
import { CommandHandler } from './commands/command.handler';
import { ProcessedCommand, ProcessedCommandSchema } from './commands/processed-command.schema';
import { InboundPipeline } from './inbound/inbound.pipeline';
import { RouterConsumer } from './inbound/router.consumer';
import { QueuesModule } from './queues';
import { QueueRouting } from './routing/queue-routing';
import { QueueSeedLoader } from './routing/queue-seed.loader';
import { SeededQueueRouting } from './routing/seeded-queue-routing';
import { SlaMonitor } from './sla/sla.monitor';
import { TimelineMessage, TimelineMessageSchema } from './timeline/timeline-message.schema';
import { DeliveryStatusHandler } from './timeline/delivery-status.handler';
import { TimelineStore } from './timeline/timeline.store';

/** The router reads every inbound message, command and delivery status, and writes conversation events and outbound messages. */
export const ROUTER_TOPICS = [
  Topics.inboundMessage,
  Topics.agentCommand,
  Topics.deliveryStatus,
  Topics.conversationEvent,
  ...Object.values(Topics.outbound),
];

@Module({})
export class RouterModule {
  static register(config: RouterConfig): DynamicModule {
    return {
      module: RouterModule,
      imports: [
        PlatformModule.forRoot({ service: 'router', config, topics: ROUTER_TOPICS }),
        MongooseModule.forFeature([
          { name: Conversation.name, schema: ConversationSchema },
          { name: CustomerThread.name, schema: CustomerThreadSchema },
          { name: TimelineMessage.name, schema: TimelineMessageSchema },
          { name: EmailMessageId.name, schema: EmailMessageIdSchema },
          { name: ProcessedCommand.name, schema: ProcessedCommandSchema },
        ]),
        IdentityModule,
        QueuesModule,
        AssignmentModule,
      ],
      providers: [
        ConversationStore,
        TimelineStore,
        ConversationEventsPublisher,
        InboundPipeline,
        CommandHandler,
        DeliveryStatusHandler,
        SlaMonitor,
        { provide: QueueRouting, useClass: SeededQueueRouting },
        QueueSeedLoader,
        RouterConsumer,
      ],
    };
  }
}
