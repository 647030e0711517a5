import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { LiveUpdatesServer } from './live-updates.server';

/** The agents' WebSocket: conversation events as they happen, viewers and typing. */
@Module({
  imports: [AuthModule, ConversationsModule],
  providers: [LiveUpdatesServer],
  exports: [LiveUpdatesServer],
})
export class LiveUpdatesModule {}
