import { Module } from '@nestjs/common';
import { ACCESS_TOKEN_KEY, AuthModule } from '../auth/auth.module';
import { GatewayConfig } from '../config/gateway.config';
import { ConversationsModule } from '../conversations/conversations.module';
import { LiveUpdatesModule } from '../live-updates/live-updates.module';
import { VisitorTokens, visitorTokenKey } from './visitor-tokens';
import { WebchatAssetsController, WebchatController, WebchatCors } from './webchat.controller';
import { WebchatOutboundConsumer } from './webchat-outbound.consumer';
import { WebchatServer } from './webchat.server';
import { WebchatService } from './webchat.service';

/** The customer-facing web chat channel (docs/webchat.md). */
@Module({
  imports: [AuthModule, ConversationsModule, LiveUpdatesModule],
  controllers: [WebchatController, WebchatAssetsController],
  providers: [
    {
      provide: VisitorTokens,
      inject: [GatewayConfig, ACCESS_TOKEN_KEY],
      useFactory: (config: GatewayConfig, key: Uint8Array) =>
        new VisitorTokens({
          key: visitorTokenKey(key),
          issuer: config.GATEWAY_JWT_ISSUER,
          ttlSeconds: config.GATEWAY_WEBCHAT_VISITOR_TTL_DAYS * 24 * 3_600,
        }),
    },
    WebchatService,
    WebchatServer,
    WebchatCors,
    WebchatOutboundConsumer,
  ],
})
export class WebchatModule {}
