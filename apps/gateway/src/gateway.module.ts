import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { Topics } from '@ponte/contracts';
import { PlatformModule } from '@ponte/platform';
import { AccountsModule } from './accounts/accounts.module';
import { AuthModule } from './auth/auth.module';
import { GatewayConfig } from './config/gateway.config';
import { ConversationsModule } from './conversations/conversations.module';
import { LiveUpdatesModule } from './live-updates/live-updates.module';
import { WebchatModule } from './webchat/webchat.module';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { RequestGuard } from './http/request.guard';
import { createValidationPipe } from './http/validation.pipe';
import { OpenApiController } from './openapi/openapi.controller';
import { OpenApiDocument } from './openapi/openapi.document';
import { GatewayThrottlerGuard, gatewayThrottlers } from './rate-limit/rate-limits';

/** The gateway reads conversation events for the agents' screens and writes agent commands and web-chat messages. */
export const GATEWAY_TOPICS = [
  Topics.conversationEvent,
  Topics.agentCommand,
  Topics.inboundMessage,
  Topics.outbound.webchat,
  Topics.deliveryStatus,
  Topics.liveActivity,
];

/**
 * The gateway. Applies to every route: the validation pipe (unknown fields are errors), RFC 9457 problem responses,
 * and one guard that authenticates (unless @Public) and then rate-limits.
 */
@Module({})
export class GatewayModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        PlatformModule.forRoot({ service: 'gateway', config, topics: GATEWAY_TOPICS }),
        ThrottlerModule.forRoot({ throttlers: gatewayThrottlers(config), setHeaders: false }),
        AccountsModule,
        AuthModule,
        ConversationsModule,
        LiveUpdatesModule,
        WebchatModule,
      ],
      controllers: [OpenApiController],
      providers: [
        OpenApiDocument,
        GatewayThrottlerGuard,
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_GUARD, useClass: RequestGuard },
      ],
    };
  }
}
