import { Topics } from '@ponte/contracts';
import { waitFor } from '@ponte/testing';
import { RouterHarness } from '../testing/router.harness';

const ADMIN = { id: 'admin-ana', role: 'admin' as const };
const BOLETO_QUEUE = {
  queueId: 'n1-boletos',
  name: 'Boletos N1',
  kind: 'solver' as const,
  tier: 'n1' as const,
  skills: [],
};

describe('router: configuration commands', () => {
  let router: RouterHarness;

  beforeEach(async () => {
    router = await RouterHarness.start();
  });

  afterEach(async () => {
    await router.stop();
  });

  it('should add a queue, its agent and a routing rule that new conversations follow at once', async () => {
    const before = await router.collection('queue_settings').findOne();
    await router.command('configure', {
      agent: ADMIN,
      queues: [BOLETO_QUEUE],
      agents: [
        {
          agentId: 'bia',
          displayName: 'Bia',
          role: 'solver',
          queueIds: ['n1-boletos'],
          capacity: 2,
          presence: 'online',
        },
      ],
      routing: {
        defaultQueueId: (before?.['routing'] as { defaultQueueId: string }).defaultQueueId,
        rules: [{ id: 'boletos', queueId: 'n1-boletos', keywords: ['boleto'] }],
      },
    });
    // The routing settings are written last.
    await waitFor(
      async () =>
        (await router.collection('queue_settings').countDocuments({ 'routing.rules.id': 'boletos' })) === 1,
      { description: 'the new agent and routing rule' },
    );

    await router.inbound({
      channel: 'sms',
      from: { address: '+5511966660001' },
      content: { text: 'Meu BOLETO venceu' },
    });
    const created = await router.event('created');
    const assigned = await router.event(
      'assigned',
      (event) => event.conversationId === created.conversationId,
    );

    expect(created.queueId).toBe('n1-boletos');
    expect(assigned.agentId).toBe('bia');
    // The seeded queues and agents are still there.
    expect(await router.collection('queues').countDocuments()).toBeGreaterThan(1);
  });

  it('should use capacity a change adds at once for the conversations waiting', async () => {
    // Everyone of the default N1 queue offline: conversations wait.
    const agents = await router
      .collection<{
        agentId: string;
        queueIds: string[];
        role: string;
        displayName: string;
        capacity: number;
      }>('agents')
      .find()
      .toArray();
    const routing = (await router.collection('queue_settings').findOne())?.['routing'] as {
      defaultQueueId: string;
    };
    const n1 = agents.filter((agent) => agent.queueIds.includes(routing.defaultQueueId));
    for (const member of n1)
      await router.command('set-presence', {
        agent: { id: member.agentId, role: 'solver' },
        presence: 'offline',
      });
    // Commands and inbound messages are separate topics: the router may take the message first unless we wait.
    await waitFor(
      async () =>
        (await router
          .collection('agents')
          .countDocuments({ agentId: { $in: n1.map((member) => member.agentId) }, presence: 'online' })) ===
        0,
      { description: 'the N1 agents offline' },
    );
    await router.inbound({ channel: 'sms', from: { address: '+5511966660002' }, content: { text: 'oi' } });
    const created = await router.event('created');

    await router.command('configure', {
      agent: ADMIN,
      agents: [
        {
          agentId: 'caio',
          displayName: 'Caio',
          role: 'solver',
          queueIds: [routing.defaultQueueId],
          capacity: 1,
          presence: 'online',
        },
      ],
    });
    const assigned = await router.event(
      'assigned',
      (event) => event.conversationId === created.conversationId,
    );

    expect(assigned.agentId).toBe('caio');
  });

  it('should refuse a change from a non-admin or one that leaves the configuration inconsistent, changing nothing', async () => {
    const snapshot = async () => ({
      queues: await router.collection('queues').find().sort({ _id: 1 }).toArray(),
      agents: await router.collection('agents').find().sort({ _id: 1 }).project({ updatedAt: 0 }).toArray(),
      settings: await router.collection('queue_settings').find().project({ updatedAt: 0 }).toArray(),
    });
    const before = await snapshot();

    const bySupervisor = await router.command('configure', {
      agent: { id: 'sup', role: 'supervisor' },
      queues: [BOLETO_QUEUE],
    });
    const unknownQueue = await router.command('configure', {
      agent: ADMIN,
      agents: [
        { agentId: 'dani', displayName: 'Dani', role: 'solver', queueIds: ['no-such-queue'], capacity: 1 },
      ],
    });
    const routeToN2 = await router.command('configure', {
      agent: ADMIN,
      queues: [{ queueId: 'n2-x', name: 'N2 X', kind: 'specialist', tier: 'n2', skills: [] }],
      routing: { defaultQueueId: 'n2-x', rules: [] },
    });
    const dead = await router.deadLetters(3, Topics.agentCommand);

    expect(dead.map((letter) => [letter.envelopeId, letter.error?.split(': ')[1]])).toEqual([
      [bySupervisor.id, 'NOT_ALLOWED'],
      [unknownQueue.id, 'INVALID_CONFIGURATION'],
      [routeToN2.id, 'INVALID_CONFIGURATION'],
    ]);
    expect(dead[1]?.error).toContain('agents.');
    expect(dead[1]?.error).toContain('no queue no-such-queue');
    expect(dead[2]?.error).toContain('routing.defaultQueueId');
    expect(await snapshot()).toEqual(before);
  });
});
