import { Module } from '@nestjs/common';
import { AgentRoster } from './agent-roster';
import { QueueDirectory } from './queue-directory';

/**
 * Queues, agents and routing settings. It uses the app's MongoDB connection (PersistenceModule, imported once by the
 * app) through plain collections: `queues`, `agents`, `queue_settings`.
 */
@Module({
  providers: [AgentRoster, QueueDirectory],
  exports: [AgentRoster, QueueDirectory],
})
export class QueuesModule {}
