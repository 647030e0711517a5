import { type AgentCandidate, rankAgentsForAssignment } from './agent-choice';

const buildAgent = (overrides: Partial<AgentCandidate> = {}): AgentCandidate => ({
  agentId: 'agent-a',
  presence: 'online',
  load: 0,
  capacity: 5,
  lastAssignedAt: new Date('2026-11-23T10:00:00Z'),
  ...overrides,
});

describe(rankAgentsForAssignment.name, () => {
  it('should put the agent with the most free capacity first', () => {
    const ranked = rankAgentsForAssignment([
      buildAgent({ agentId: 'busy', load: 4 }),
      buildAgent({ agentId: 'free', load: 1 }),
      buildAgent({ agentId: 'big', load: 3, capacity: 10 }),
    ]);

    expect(ranked.map((agent) => agent.agentId)).toEqual(['big', 'free', 'busy']);
  });

  it('should break a tie in favour of the agent idle longest', () => {
    const ranked = rankAgentsForAssignment([
      buildAgent({ agentId: 'recent', lastAssignedAt: new Date('2026-11-23T10:05:00Z') }),
      buildAgent({ agentId: 'idle', lastAssignedAt: new Date('2026-11-23T09:00:00Z') }),
    ]);

    expect(ranked.map((agent) => agent.agentId)).toEqual(['idle', 'recent']);
  });

  it('should leave out agents who are full, away or offline', () => {
    const ranked = rankAgentsForAssignment([
      buildAgent({ agentId: 'full', load: 5 }),
      buildAgent({ agentId: 'away', presence: 'away' }),
      buildAgent({ agentId: 'offline', presence: 'offline' }),
      buildAgent({ agentId: 'over', load: 7, capacity: 5 }),
    ]);

    expect(ranked).toEqual([]);
  });
});
