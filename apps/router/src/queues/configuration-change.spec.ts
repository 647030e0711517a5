import { withChanges } from './configuration-change';
import type { QueueSeed } from './queue-seed';

const current: QueueSeed = {
  queues: [
    { queueId: 'n1', name: 'N1', kind: 'solver', tier: 'n1', skills: [] },
    { queueId: 'n2', name: 'N2', kind: 'specialist', tier: 'n2', skills: [] },
  ],
  agents: [{ agentId: 'ana', displayName: 'Ana', role: 'solver', queueIds: ['n1'], capacity: 3 }],
  routing: { defaultQueueId: 'n1', rules: [] },
  channelAccounts: { sms: '+5511999990000' },
};

describe(withChanges.name, () => {
  it('should replace queues and agents by id in place and append new ones', () => {
    const next = withChanges(current, {
      queues: [
        { queueId: 'n1-fin', name: 'Financeiro', kind: 'solver', tier: 'n1', skills: ['boleto'] },
        { queueId: 'n1', name: 'Geral', kind: 'solver', tier: 'n1', skills: [] },
      ],
      agents: [
        { agentId: 'ana', displayName: 'Ana', role: 'solver', queueIds: ['n1', 'n1-fin'], capacity: 5 },
      ],
    }) as QueueSeed;

    expect(next.queues.map((queue) => [queue.queueId, queue.name])).toEqual([
      ['n1', 'Geral'],
      ['n2', 'N2'],
      ['n1-fin', 'Financeiro'],
    ]);
    expect(next.agents).toEqual([expect.objectContaining({ agentId: 'ana', capacity: 5 })]);
    expect(next.routing).toEqual(current.routing);
  });

  it('should replace the routing and merge the reply accounts when given', () => {
    const next = withChanges(current, {
      routing: { defaultQueueId: 'n1', rules: [{ id: 'r', queueId: 'n1', keywords: ['boleto'] }] },
      channelAccounts: { whatsapp: 'wa-1' },
    }) as QueueSeed;

    expect(next.routing.rules).toHaveLength(1);
    expect(next.channelAccounts).toEqual({ sms: '+5511999990000', whatsapp: 'wa-1' });
  });

  it('should start from nothing for a tenant without configuration, leaving the routing to be required', () => {
    expect(withChanges(null, { queues: current.queues })).toEqual({
      queues: current.queues,
      agents: [],
      channelAccounts: {},
    });
  });
});
