import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { LiveActivityRelay } from './live-activity.relay';
import { LiveUpdatesServer } from './live-updates.server';

/** The agents' WebSocket: conversation events as they happen, viewers and typing. */
@Module({
  imports: [AuthModule, ConversationsModule],
  providers: [LiveUpdatesServer, LiveActivityRelay],
  exports: [LiveUpdatesServer],
})
export class LiveUpdatesModule {}
