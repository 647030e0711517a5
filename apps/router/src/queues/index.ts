export { QueuesModule } from './queues.module';
export { QueueDirectory } from './queue-directory';
export { AgentRoster, type AgentState, type PresenceChange } from './agent-roster';
export { canAgentAct, freeFor, limitOf, loadByKindOf, poolOf } from './agent-capacity';
export {
  InvalidQueueSeedError,
  loadQueueSeed,
  parseQueueSeed,
  type AgentSeedEntry,
  type QueueSeed,
  type QueueSeedEntry,
  type RoutingSeed,
  type SeedProblem,
} from './queue-seed';
export {
  CHANNEL_KINDS,
  QUEUE_KINDS,
  type Agent,
  type AgentCapacity,
  type AgentDocument,
  type CapacityByKind,
  type CapacityPool,
  type CapacityUnit,
  type ChannelKind,
  type KindCounters,
  type Queue,
  type QueueKind,
} from './queue.model';
