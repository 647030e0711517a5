export type Presence = 'online' | 'away' | 'offline';

export interface AgentCandidate {
  agentId: string;
  presence: Presence;
  /** Open conversations the agent holds now. */
  load: number;
  capacity: number;
  /** Last time the agent received a conversation (or came online); older = idle longer. */
  lastAssignedAt: Date;
}

/**
 * Orders who should get the next conversation: online agents with room, most free capacity first, ties to the
 * one idle longest. The caller claims them in this order with a guarded update, so a race only moves it to the next.
 */
export function rankAgentsForAssignment(candidates: readonly AgentCandidate[]): AgentCandidate[] {
  return candidates
    .filter((agent) => agent.presence === 'online' && agent.load < agent.capacity)
    .sort(
      (a, b) =>
        b.capacity - b.load - (a.capacity - a.load) ||
        a.lastAssignedAt.getTime() - b.lastAssignedAt.getTime() ||
        a.agentId.localeCompare(b.agentId),
    );
}
