import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compileRoutingRules } from '../routing/routing-rules';
import { InvalidQueueSeedError, loadQueueSeed, parseQueueSeed, type QueueSeed } from './queue-seed';

const EXAMPLE_SEED_FILE = resolve(__dirname, '../../config/queues.seed.json');

const buildSeed = (overrides: Partial<QueueSeed> = {}): QueueSeed => ({
  queues: [
    { queueId: 'n1-solvers', name: 'Atendimento N1', kind: 'solver', tier: 'n1', skills: ['geral'] },
    { queueId: 'n1-directors', name: 'Triagem N1', kind: 'director', tier: 'n1', skills: ['triagem'] },
    { queueId: 'n2-field', name: 'Campo N2', kind: 'specialist', tier: 'n2', skills: ['campo'] },
  ],
  agents: [{ agentId: 'ana', displayName: 'Ana', role: 'solver', queueIds: ['n1-solvers'], capacity: 5 }],
  routing: {
    defaultQueueId: 'n1-solvers',
    rules: [{ id: 'boleto', queueId: 'n1-directors', keywords: ['boleto'] }],
  },
  ...overrides,
});

/** The error parseQueueSeed throws for this value (fails the test when it throws none). */
const problemsOf = (value: unknown): InvalidQueueSeedError => {
  try {
    parseQueueSeed(value);
  } catch (error) {
    if (error instanceof InvalidQueueSeedError) return error;
    throw error;
  }
  throw new Error('expected InvalidQueueSeedError, the seed was accepted');
};

describe(parseQueueSeed.name, () => {
  it('should return the seed as plain data when it is valid', () => {
    const seed = buildSeed();

    expect(parseQueueSeed(seed)).toEqual(seed);
  });

  it.each([
    ['a missing capacity', { capacity: undefined }, 'agents.0.capacity', /capacity is required/],
    ['a negative capacity', { capacity: -1 }, 'agents.0.capacity', /must not be less than 0/],
    ['a fractional capacity', { capacity: 2.5 }, 'agents.0.capacity', /integer/],
    ['an unknown role', { role: 'manager' }, 'agents.0.role', /role must be one of/],
    ['an id with a "|"', { agentId: 'a|b' }, 'agents.0.agentId', /without spaces or "\|"/],
    ['an unknown presence', { presence: 'busy' }, 'agents.0.presence', /presence must be one of/],
    [
      'a per-kind capacity that is negative',
      { capacityByKind: { email: -2 } },
      'agents.0.capacityByKind.email',
      /less than 0/,
    ],
    ['a misspelt field', { capcity: 5 }, 'agents.0.capcity', /should not exist/],
  ])('should name the field when an agent has %s', (_case, change, field, message) => {
    const agent = { ...buildSeed().agents[0]!, ...change };

    const error = problemsOf({ ...buildSeed(), agents: [agent] });

    expect(error.code).toBe('INVALID_QUEUE_SEED');
    expect(error.field).toBe(field);
    expect(error.problems[0]!.message).toMatch(message);
    expect(error.message).toContain(field);
  });

  it('should name the agent queue that does not exist', () => {
    const error = problemsOf(
      buildSeed({
        agents: [
          { agentId: 'ana', displayName: 'Ana', role: 'solver', queueIds: ['n1-solvers', 'n9'], capacity: 5 },
        ],
      }),
    );

    expect(error.problems).toEqual([{ field: 'agents.0.queueIds.1', message: 'no queue n9' }]);
  });

  it('should name the second declaration when a queue id is declared twice', () => {
    const seed = buildSeed();
    const error = problemsOf({ ...seed, queues: [...seed.queues, seed.queues[0]] });

    expect(error.field).toBe('queues.3.queueId');
  });

  it('should refuse a solver queue outside N1 and a specialist queue in N1', () => {
    const seed = buildSeed();
    const error = problemsOf({
      ...seed,
      queues: [
        ...seed.queues,
        { queueId: 'x', name: 'X', kind: 'solver', tier: 'n2', skills: [] },
        { queueId: 'y', name: 'Y', kind: 'specialist', tier: 'n1', skills: [] },
      ],
    });

    expect(error.problems.map((problem) => problem.field)).toEqual(['queues.3.tier', 'queues.4.tier']);
  });

  it('should refuse routing to an unknown queue or to a queue above N1', () => {
    const error = problemsOf(
      buildSeed({
        routing: {
          defaultQueueId: 'n2-field',
          rules: [{ id: 'r1', queueId: 'nowhere', channels: ['email'] }],
        },
      }),
    );

    expect(error.problems).toEqual([
      { field: 'routing.defaultQueueId', message: 'queue n2-field is n2; routing targets N1' },
      { field: 'routing.rules.0.queueId', message: 'no queue nowhere' },
    ]);
  });

  it('should name the rule whose pattern does not parse', () => {
    const error = problemsOf(
      buildSeed({
        routing: {
          defaultQueueId: 'n1-solvers',
          rules: [{ id: 'r1', queueId: 'n1-directors', pattern: '(' }],
        },
      }),
    );

    expect(error.field).toBe('routing.rules.0.pattern');
    expect(error.message).toMatch(/Rule r1/);
  });

  it('should name a rule channel that is not a channel', () => {
    const error = problemsOf({
      ...buildSeed(),
      routing: {
        defaultQueueId: 'n1-solvers',
        rules: [{ id: 'r1', queueId: 'n1-solvers', channels: ['fax'] }],
      },
    });

    expect(error.field).toBe('routing.rules.0.channels');
  });

  it('should name a channel account of an unknown channel', () => {
    const error = problemsOf({ ...buildSeed(), channelAccounts: { pager: '123' } });

    expect(error.field).toBe('channelAccounts.pager');
  });

  it('should refuse a value that is not an object', () => {
    expect(problemsOf([buildSeed()]).message).toMatch(/must be a JSON object/);
  });
});

describe(loadQueueSeed.name, () => {
  it('should load the example seed with the four tiers of queues and rules that compile', async () => {
    const seed = await loadQueueSeed(EXAMPLE_SEED_FILE);

    expect(seed.queues.map((queue) => [queue.queueId, queue.kind, queue.tier])).toEqual([
      ['n1-solvers', 'solver', 'n1'],
      ['n1-directors', 'director', 'n1'],
      ['n2-field', 'specialist', 'n2'],
      ['n3-specialists', 'specialist', 'n3'],
    ]);
    expect(seed.routing.defaultQueueId).toBe('n1-solvers');
    const rules = compileRoutingRules(seed.routing.rules);
    const context = { channel: 'whatsapp', customerTags: [], priority: 'normal' } as const;
    expect(rules.pickQueue({ ...context, text: 'Quero CANCELAR o plano' }, 'n1-solvers').queueId).toBe(
      'n1-directors',
    );
    expect(
      rules.pickQueue({ ...context, text: 'Preciso da segunda via do boleto' }, 'n1-solvers').queueId,
    ).toBe('n1-directors');
    expect(rules.pickQueue({ ...context, text: 'Não consigo entrar' }, 'n1-solvers').ruleId).toBeNull();
  });

  it('should name the file when it is not JSON', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'queue-seed-'));
    const path = join(directory, 'broken.json');
    await writeFile(path, '{ "queues": [');

    const sut = loadQueueSeed(path);

    await expect(sut).rejects.toThrow(InvalidQueueSeedError);
    await expect(sut).rejects.toThrow(new RegExp(`${path}: not JSON`));
  });

  it('should name the file when it cannot be read', async () => {
    await expect(loadQueueSeed('/nonexistent/queues.seed.json')).rejects.toThrow(
      /Invalid queue seed \/nonexistent\/queues.seed.json: cannot read the file/,
    );
  });
});
