import { resolve } from 'node:path';
import { getConnectionToken } from '@nestjs/mongoose';
import { Test, type TestingModule } from '@nestjs/testing';
import { PersistenceModule } from '@ponte/persistence';
import { testMongoUrl, uniqueName } from '@ponte/testing';
import type { Connection } from 'mongoose';
import { canAgentAct } from './agent-capacity';
import { AgentRoster } from './agent-roster';
import { QueueDirectory } from './queue-directory';
import { InvalidQueueSeedError, loadQueueSeed, type QueueSeed } from './queue-seed';
import { QueuesModule } from './queues.module';

const EXAMPLE_SEED_FILE = resolve(__dirname, '../../config/queues.seed.json');
const AT = new Date('2026-11-23T10:00:00.000Z');
const COLLECTIONS = ['queues', 'agents', 'queue_settings'];

describe(QueueDirectory.name, () => {
  let moduleRef: TestingModule;
  let connection: Connection;
  let sut: QueueDirectory;
  let seed: QueueSeed;
  let tenantId: string;

  /** Documents of the tenant per collection, read straight from the database. */
  const storedCounts = async (): Promise<Record<string, number>> => {
    const counts = await Promise.all(
      COLLECTIONS.map(
        async (name) => [name, await connection.collection(name).countDocuments({ tenantId })] as const,
      ),
    );
    return Object.fromEntries(counts);
  };

  beforeAll(async () => {
    const uri = testMongoUrl(uniqueName('queues'));
    moduleRef = await Test.createTestingModule({
      imports: [PersistenceModule.forRootAsync({ useFactory: () => ({ uri }) }), QueuesModule],
    }).compile();
    await moduleRef.init();
    sut = moduleRef.get(QueueDirectory);
    connection = moduleRef.get<Connection>(getConnectionToken());
    seed = await loadQueueSeed(EXAMPLE_SEED_FILE);
  });

  afterAll(async () => {
    await connection?.dropDatabase();
    await moduleRef?.close();
  });

  beforeEach(() => {
    tenantId = uniqueName('tenant');
  });

  it('should find the queues, the default queue of each tier, the agents and the routing of the example seed', async () => {
    await sut.applySeed(tenantId, seed, AT);

    expect(await sut.getQueue(tenantId, 'n1-directors')).toEqual({
      queueId: 'n1-directors',
      tenantId,
      name: 'Triagem N1 (direcionadores)',
      kind: 'director',
      tier: 'n1',
      skills: ['triagem', 'cancelamento', 'cobranca'],
    });
    expect((await sut.queuesOfTier(tenantId, 'n1')).map((queue) => queue.queueId)).toEqual([
      'n1-solvers',
      'n1-directors',
    ]);
    expect((await sut.defaultQueueFor(tenantId, 'n1'))?.queueId).toBe('n1-solvers');
    expect((await sut.defaultQueueFor(tenantId, 'n2'))?.queueId).toBe('n2-field');
    expect((await sut.defaultQueueFor(tenantId, 'n3'))?.queueId).toBe('n3-specialists');
    expect(await sut.agent(tenantId, 'marina')).toEqual({
      agentId: 'marina',
      tenantId,
      role: 'solver',
      displayName: 'Marina Costa',
      queueIds: ['n1-solvers'],
      capacity: 5,
      capacityByKind: { email: 10 },
      presence: 'offline',
      load: 0,
      loadByKind: { messaging: 0, email: 0 },
      lastAssignedAt: AT,
    });
    expect((await sut.agentsOfQueue(tenantId, 'n1-solvers')).map((agent) => agent.agentId)).toEqual([
      'ana',
      'bruno',
      'marina',
    ]);
    expect((await sut.routingOf(tenantId))?.rules.map((rule) => rule.id)).toEqual([
      'cancelamento',
      'cobranca',
      'email',
    ]);
    expect(await sut.channelAccountFor(tenantId, 'email')).toBe('suporte@ponte.example');
    expect(await sut.channelAccountFor(tenantId, 'telegram')).toBeUndefined();
  });

  it('should tell which agent may act on which queue', async () => {
    await sut.applySeed(tenantId, seed, AT);
    const [carla, fernanda] = [await sut.agent(tenantId, 'carla'), await sut.agent(tenantId, 'fernanda')];

    expect(canAgentAct(carla!, 'n1-directors')).toBe(true);
    expect(canAgentAct(carla!, 'n3-specialists')).toBe(false);
    expect(canAgentAct(fernanda!, 'n3-specialists')).toBe(true);
  });

  it('should know nothing of a tenant without a seed', async () => {
    expect(await sut.getQueue(tenantId, 'n1-solvers')).toBeNull();
    expect(await sut.defaultQueueFor(tenantId, 'n2')).toBeNull();
    expect(await sut.agent(tenantId, 'ana')).toBeNull();
    expect(await sut.routingOf(tenantId)).toBeNull();
  });

  it('should update queues and agents in place and keep presence when the seed is applied again', async () => {
    await sut.applySeed(tenantId, seed, AT);
    await moduleRef.get(AgentRoster).setPresence(tenantId, 'ana', 'online', AT);
    const changed: QueueSeed = {
      ...seed,
      queues: seed.queues.map((queue) =>
        queue.queueId === 'n2-field' ? { ...queue, name: 'Campo' } : queue,
      ),
      agents: seed.agents.map((agent) =>
        agent.agentId === 'ana' ? { ...agent, capacity: 7, queueIds: ['n1-solvers', 'n1-directors'] } : agent,
      ),
    };

    await sut.applySeed(tenantId, changed, AT);
    await sut.applySeed(tenantId, changed, AT);

    expect(await storedCounts()).toEqual({ queues: 4, agents: seed.agents.length, queue_settings: 1 });
    expect((await sut.getQueue(tenantId, 'n2-field'))?.name).toBe('Campo');
    expect(await sut.agent(tenantId, 'ana')).toMatchObject({
      capacity: 7,
      queueIds: ['n1-solvers', 'n1-directors'],
      presence: 'online',
    });
  });

  it('should change nothing and name the field when the seed is invalid', async () => {
    const invalid = {
      ...seed,
      agents: [
        ...seed.agents,
        { agentId: 'zoe', displayName: 'Zoe', role: 'solver', queueIds: ['n9'], capacity: 5 },
      ],
    } as QueueSeed;

    const applying = sut.applySeed(tenantId, invalid, AT);

    await expect(applying).rejects.toThrow(InvalidQueueSeedError);
    await expect(applying).rejects.toMatchObject({ field: `agents.${seed.agents.length}.queueIds.0` });
    expect(await storedCounts()).toEqual({ queues: 0, agents: 0, queue_settings: 0 });
  });

  it('should put a queue added by command after the seeded queues of its tier', async () => {
    await sut.applySeed(tenantId, seed, AT);

    await sut.upsertQueue(tenantId, {
      queueId: 'n2-billing',
      name: 'Cobrança N2',
      kind: 'specialist',
      tier: 'n2',
      skills: [],
    });

    expect((await sut.queuesOfTier(tenantId, 'n2')).map((queue) => queue.queueId)).toEqual([
      'n2-field',
      'n2-billing',
    ]);
    expect((await sut.defaultQueueFor(tenantId, 'n2'))?.queueId).toBe('n2-field');
  });
});
