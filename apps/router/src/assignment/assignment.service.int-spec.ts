import { getConnectionToken } from '@nestjs/mongoose';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Priority } from '@ponte/contracts';
import { PersistenceModule } from '@ponte/persistence';
import { testMongoUrl, uniqueName } from '@ponte/testing';
import type { Connection } from 'mongoose';
import {
  AgentRoster,
  type AgentDocument,
  type AgentSeedEntry,
  type CapacityUnit,
  type ChannelKind,
  type QueueSeed,
} from '../queues';
import { ASSIGNMENT_CLAIMS_COLLECTION, type AssignmentClaim, CLAIM_LEASE_MS } from './assignment-claims';
import { type AssignableConversation, CONVERSATIONS_COLLECTION } from './assignment.model';
import { AssignmentModule } from './assignment.module';
import { AssignmentService } from './assignment.service';

const AT = new Date('2026-11-23T10:00:00.000Z');
const PRIORITY_RANK: Record<Priority, number> = { low: 0, normal: 1, high: 2, urgent: 3 };

const later = (minutes: number): Date => new Date(AT.getTime() + minutes * 60_000);

const startApp = (uri: string): Promise<TestingModule> =>
  Test.createTestingModule({
    imports: [PersistenceModule.forRootAsync({ useFactory: () => ({ uri }) }), AssignmentModule],
  })
    .compile()
    .then((moduleRef) => moduleRef.init());

describe(AssignmentService.name, () => {
  let uri: string;
  let moduleRef: TestingModule;
  let connection: Connection;
  let sut: AssignmentService;
  let tenantId: string;
  let sequence = 0;

  const buildAgent = (overrides: Partial<AgentSeedEntry> = {}): AgentSeedEntry => ({
    agentId: 'ana',
    displayName: 'Ana',
    role: 'solver',
    queueIds: ['n1-solvers'],
    capacity: 5,
    presence: 'online',
    ...overrides,
  });

  const buildSeed = (agents: AgentSeedEntry[]): QueueSeed => ({
    queues: [
      { queueId: 'n1-solvers', name: 'Atendimento N1', kind: 'solver', tier: 'n1', skills: ['geral'] },
      { queueId: 'n1-directors', name: 'Triagem N1', kind: 'director', tier: 'n1', skills: ['triagem'] },
    ],
    agents,
    routing: { defaultQueueId: 'n1-solvers', rules: [] },
  });

  const seedAgents = (...agents: AgentSeedEntry[]): Promise<unknown> =>
    sut.applySeed(tenantId, buildSeed(agents), AT);

  /** A conversation as the conversation store creates it: open, unassigned, waiting since it was created. */
  const buildConversation = (overrides: Partial<AssignableConversation> = {}): AssignableConversation => {
    sequence += 1;
    const priority = overrides.priority ?? 'normal';
    return {
      _id: `conversation-${String(sequence).padStart(4, '0')}`,
      tenantId,
      customerId: `customer-${sequence}`,
      status: 'open',
      queueId: 'n1-solvers',
      tier: 'n1',
      priority,
      priorityRank: PRIORITY_RANK[priority],
      channelKind: 'messaging',
      assigneeId: null,
      waitingSince: later(sequence),
      ...overrides,
    };
  };

  const conversations = () => connection.collection<AssignableConversation>(CONVERSATIONS_COLLECTION);
  const agents = () => connection.collection<AgentDocument>('agents');
  const units = () => connection.collection<CapacityUnit>('agent_capacity_units');
  const claims = () => connection.collection<AssignmentClaim>(ASSIGNMENT_CLAIMS_COLLECTION);

  const insertConversations = async (...list: AssignableConversation[]): Promise<string[]> => {
    await conversations().insertMany(list);
    return list.map((conversation) => conversation._id);
  };

  /** What the conversation store does on resolve: the release comes after. */
  const markResolved = (conversationId: string): Promise<unknown> =>
    conversations().updateOne(
      { _id: conversationId, tenantId },
      { $set: { status: 'resolved', waitingSince: null } },
    );

  const agentDocument = async (agentId: string): Promise<AgentDocument> => {
    const document = await agents().findOne({ tenantId, agentId });
    if (!document) throw new Error(`no agent ${agentId}`);
    return document;
  };

  /** The conversations whose capacity the agent holds, read straight from the database. */
  const heldBy = async (
    agentId: string,
  ): Promise<{ load: number; conversations: string[] } & Record<ChannelKind, number>> => {
    const held = await units().find({ tenantId, agentId }).sort({ at: 1, conversationId: 1 }).toArray();
    return {
      load: held.length,
      messaging: held.filter((unit) => unit.kind === 'messaging').length,
      email: held.filter((unit) => unit.kind === 'email').length,
      conversations: held.map((unit) => unit.conversationId),
    };
  };

  /** Open conversations per assignee, read straight from the database. */
  const openPerAssignee = async (): Promise<Record<string, number>> => {
    const open = await conversations()
      .find({ tenantId, status: 'open', assigneeId: { $ne: null } })
      .toArray();
    const counts: Record<string, number> = {};
    for (const conversation of open)
      counts[conversation.assigneeId!] = (counts[conversation.assigneeId!] ?? 0) + 1;
    return counts;
  };

  const waitingCount = (): Promise<number> =>
    conversations().countDocuments({
      tenantId,
      status: 'open',
      assigneeId: null,
      waitingSince: { $ne: null },
    });

  beforeAll(async () => {
    uri = testMongoUrl(uniqueName('assignment'));
    moduleRef = await startApp(uri);
    sut = moduleRef.get(AssignmentService);
    connection = moduleRef.get<Connection>(getConnectionToken());
  });

  afterAll(async () => {
    await connection?.dropDatabase();
    await moduleRef?.close();
  });

  beforeEach(() => {
    tenantId = uniqueName('tenant');
  });

  describe('assign', () => {
    it('should give the conversation to the agent with the most free capacity, ties to the one idle longest', async () => {
      await seedAgents(
        buildAgent({ agentId: 'ana' }),
        buildAgent({ agentId: 'bruno' }),
        buildAgent({ agentId: 'carla', capacity: 3 }),
      );
      await sut.setPresence(tenantId, 'bruno', 'away', later(0));
      await sut.setPresence(tenantId, 'bruno', 'online', later(1));
      const [first, second, third] = await insertConversations(
        buildConversation(),
        buildConversation(),
        buildConversation(),
      );

      // ana and bruno have 5 free; ana has been idle since the seed, bruno came online later.
      const toAna = await sut.assign(tenantId, first!, later(2));
      const toBruno = await sut.assign(tenantId, second!, later(3));
      const toAnaAgain = await sut.assign(tenantId, third!, later(4));

      expect([toAna?.agentId, toBruno?.agentId, toAnaAgain?.agentId]).toEqual(['ana', 'bruno', 'ana']);
      expect(toAna).toEqual({
        conversationId: first,
        agentId: 'ana',
        queueId: 'n1-solvers',
        assignedAt: later(2),
      });
      expect(await conversations().findOne({ _id: first! })).toMatchObject({
        assigneeId: 'ana',
        waitingSince: null,
        assignedAt: later(2),
      });
      expect(await claims().countDocuments({ tenantId })).toBe(0);
    });

    it('should assign exactly 15 of 50 concurrent conversations to 3 agents of capacity 5, none above 5, then the oldest as capacity frees', async () => {
      await seedAgents(
        buildAgent({ agentId: 'ana' }),
        buildAgent({ agentId: 'bruno' }),
        buildAgent({ agentId: 'carla' }),
      );
      const ids = await insertConversations(...Array.from({ length: 50 }, () => buildConversation()));

      const results = await Promise.all(ids.map((id, index) => sut.assign(tenantId, id, later(60 + index))));

      expect(results.filter(Boolean)).toHaveLength(15);
      expect(await openPerAssignee()).toEqual({ ana: 5, bruno: 5, carla: 5 });
      for (const agentId of ['ana', 'bruno', 'carla']) {
        expect(await heldBy(agentId)).toMatchObject({ load: 5, messaging: 5, email: 0 });
      }
      expect(await waitingCount()).toBe(35);

      // Ana resolves her five: each release gives her the conversation that has waited longest.
      const waitingOldestFirst = ids.filter((id) => !results.some((result) => result?.conversationId === id));
      const next: string[] = [];
      for (const result of results.filter((result) => result?.agentId === 'ana')) {
        await markResolved(result!.conversationId);
        const assigned = await sut.release(tenantId, result!.conversationId, 'ana', later(200));
        next.push(...assigned.map((assignment) => assignment.conversationId));
      }
      expect(next).toEqual(waitingOldestFirst.slice(0, 5));
      expect(await openPerAssignee()).toEqual({ ana: 5, bruno: 5, carla: 5 });
      expect(await waitingCount()).toBe(30);
    });

    it('should leave the conversation waiting when nobody of its queue is online with room', async () => {
      await seedAgents(
        buildAgent({ agentId: 'ana', capacity: 1 }),
        buildAgent({ agentId: 'carla', queueIds: ['n1-directors'] }),
      );
      const [first, second] = [buildConversation(), buildConversation()];
      await insertConversations(first, second);

      expect(await sut.assign(tenantId, first._id, later(10))).not.toBeNull();
      expect(await sut.assign(tenantId, second._id, later(11))).toBeNull();
      expect(await conversations().findOne({ _id: second._id })).toMatchObject({
        assigneeId: null,
        waitingSince: second.waitingSince,
      });
    });

    it('should count e-mails against their own limit and chats against the capacity when both are set', async () => {
      await seedAgents(buildAgent({ agentId: 'marina', capacity: 2, capacityByKind: { email: 3 } }));
      const emails = await insertConversations(
        ...Array.from({ length: 5 }, () => buildConversation({ channelKind: 'email' })),
      );
      const chats = await insertConversations(buildConversation(), buildConversation(), buildConversation());

      const results = await Promise.all(
        [...emails, ...chats].map((id) => sut.assign(tenantId, id, later(30))),
      );

      const assigned = new Set(results.map((result) => result?.conversationId));
      expect(emails.filter((id) => assigned.has(id))).toHaveLength(3);
      expect(chats.filter((id) => assigned.has(id))).toHaveLength(2);
      expect(await heldBy('marina')).toMatchObject({ load: 5, messaging: 2, email: 3 });
    });

    it('should pass over the waiting e-mails and take the chat when only the chat fits', async () => {
      await seedAgents(
        buildAgent({ agentId: 'marina', capacity: 2, capacityByKind: { email: 1 }, presence: 'offline' }),
      );
      const [olderEmail, oldEmail, chat] = await insertConversations(
        buildConversation({ channelKind: 'email' }),
        buildConversation({ channelKind: 'email' }),
        buildConversation(),
      );

      const assigned = await sut.setPresence(tenantId, 'marina', 'online', later(30));

      expect(assigned.map((assignment) => assignment.conversationId)).toEqual([olderEmail, chat]);
      expect(await conversations().findOne({ _id: oldEmail! })).toMatchObject({ assigneeId: null });
    });

    it('should leave alone a conversation another attempt is assigning', async () => {
      await seedAgents(buildAgent());
      const [id] = await insertConversations(buildConversation());
      await claims().insertOne({
        _id: 'other-router-attempt',
        tenantId,
        conversationId: id!,
        at: new Date(),
      });

      expect(await sut.assign(tenantId, id!, later(5))).toBeNull();
      expect(await heldBy('ana')).toMatchObject({ load: 0 });
      expect(await claims().countDocuments({ tenantId })).toBe(1);
    });

    it('should take over the claim of a crashed attempt and give back the capacity it had reserved', async () => {
      await seedAgents(
        buildAgent({ agentId: 'ana', capacity: 1 }),
        buildAgent({ agentId: 'bruno', capacity: 1 }),
      );
      const [id] = await insertConversations(buildConversation());
      // The crashed attempt claimed the conversation, reserved ana's only unit, and died before assigning.
      await claims().insertOne({
        _id: 'crashed-attempt',
        tenantId,
        conversationId: id!,
        at: new Date(Date.now() - 2 * CLAIM_LEASE_MS),
      });
      await units().insertOne({
        _id: 'crashed-unit',
        tenantId,
        agentId: 'ana',
        conversationId: id!,
        kind: 'messaging',
        pool: 'shared',
        slot: 0,
        at: later(1),
      });

      const assignment = await sut.assign(tenantId, id!, later(5));

      expect(assignment).toMatchObject({ conversationId: id, agentId: 'bruno' });
      expect(await openPerAssignee()).toEqual({ bruno: 1 });
      expect(await heldBy('ana')).toMatchObject({ load: 0 });
      expect(await heldBy('bruno')).toMatchObject({ load: 1, conversations: [id] });
      expect(await claims().countDocuments({ tenantId })).toBe(0);
    });
  });

  describe('reserveForNew', () => {
    /** What the inbound pipeline does with a reservation: the conversation is inserted with its agent. */
    const insertAssigned = (conversation: AssignableConversation, agentId: string): Promise<string[]> =>
      insertConversations({ ...conversation, assigneeId: agentId, waitingSince: null });

    it('should reserve room for conversations about to be created, best agent first, and nothing past capacity', async () => {
      await seedAgents(
        buildAgent({ agentId: 'ana', capacity: 2 }),
        buildAgent({ agentId: 'bruno', capacity: 1 }),
      );
      const fresh = Array.from({ length: 4 }, () => buildConversation());

      const reserved = await sut.reserveForNew(fresh, later(60));

      expect([...reserved.keys()]).toEqual(fresh.slice(0, 3).map((conversation) => conversation._id));
      const agentsOf = [...reserved.values()].map(({ assignment }) => assignment.agentId).sort();
      expect(agentsOf).toEqual(['ana', 'ana', 'bruno']);
      expect(await heldBy('ana')).toMatchObject({ load: 2 });
      expect(await heldBy('bruno')).toMatchObject({ load: 1 });
      // Nothing was claimed: no other attempt can reach a conversation that is not stored.
      expect(await claims().countDocuments({ tenantId })).toBe(0);
    });

    it('should give back the unit of a conversation that was not created and give it to the one waiting', async () => {
      await seedAgents(buildAgent({ agentId: 'ana', capacity: 1 }));
      const fresh = buildConversation();
      const reserved = await sut.reserveForNew([fresh], later(60));
      // Meanwhile a conversation came to wait (ana was full when it was created).
      const [waiting] = await insertConversations(buildConversation());

      // The insert found the customer's conversation opened by another message: not created.
      const drained = await sut.settleNew(reserved, new Set(), later(61));

      expect(drained).toEqual([
        { tenantId, assignment: expect.objectContaining({ conversationId: waiting, agentId: 'ana' }) },
      ]);
      expect(await heldBy('ana')).toMatchObject({ load: 1, conversations: [waiting] });
    });

    it('should keep the unit of a created conversation and record the assignment for the tie-break', async () => {
      await seedAgents(buildAgent({ agentId: 'ana', capacity: 1 }));
      const fresh = buildConversation();
      const reserved = await sut.reserveForNew([fresh], later(60));
      await insertAssigned(fresh, 'ana');

      expect(await sut.settleNew(reserved, new Set([fresh._id]), later(61))).toEqual([]);

      expect(await heldBy('ana')).toMatchObject({ load: 1, conversations: [fresh._id] });
      expect(await openPerAssignee()).toEqual({ ana: 1 });
    });

    it.each([
      { capacity: 2, expected: 'the free slot left', reserved: 1 },
      { capacity: 1, expected: 'nothing, as the agent is full', reserved: 0 },
    ])(
      'should plan again a conversation whose slot another attempt took between the read and the insert: $expected',
      async ({ capacity, reserved: reservedCount }) => {
        await seedAgents(buildAgent({ agentId: 'ana', capacity }));
        const fresh = buildConversation();
        const roster = moduleRef.get(AgentRoster);
        const insertUnits = roster.insertUnits.bind(roster);
        // The other attempt (another partition or instance, from its own read) inserts its unit first, in the very
        // slot this one planned.
        const spy = jest.spyOn(roster, 'insertUnits').mockImplementationOnce(async (planned) => {
          const [unit] = planned;
          if (!unit) throw new Error('nothing planned');
          await units().insertOne({
            ...unit,
            _id: `theirs-${unit._id}`,
            conversationId: 'their-conversation',
          });
          return insertUnits(planned);
        });
        try {
          const reserved = await sut.reserveForNew([fresh], later(60));

          expect(reserved.size).toBe(reservedCount);
          const held = await units().find({ tenantId, agentId: 'ana' }).toArray();
          expect(held).toHaveLength(capacity);
          expect(new Set(held.map((unit) => unit.slot)).size).toBe(capacity);
          expect(held.map((unit) => unit.conversationId).sort()).toEqual(
            ['their-conversation', ...(reservedCount ? [fresh._id] : [])].sort(),
          );
        } finally {
          spy.mockRestore();
        }
      },
    );

    it('should not take for a leftover the unit of a conversation being inserted, until its lease is over', async () => {
      await seedAgents(buildAgent({ agentId: 'ana', capacity: 2 }));
      const [held] = await insertConversations(buildConversation());
      await sut.assign(tenantId, held!, later(1));
      const fresh = buildConversation();
      await sut.reserveForNew([fresh], later(60));

      // The agent releases another conversation meanwhile, which reconciles what it holds.
      await markResolved(held!);
      await sut.release(tenantId, held!, 'ana', later(61));
      expect(await heldBy('ana')).toMatchObject({ load: 1, conversations: [fresh._id] });

      // A router that crashed before inserting the conversation: once the lease is over, the unit goes back.
      await units().updateMany(
        { tenantId, conversationId: fresh._id },
        { $set: { reservedAt: new Date(Date.now() - 2 * CLAIM_LEASE_MS) } },
      );
      await sut.setPresence(tenantId, 'ana', 'online', later(62));
      expect(await heldBy('ana')).toMatchObject({ load: 0 });
    });
  });

  describe('release', () => {
    it('should assign the waiting conversations by priority, then oldest first, as capacity frees', async () => {
      await seedAgents(buildAgent({ agentId: 'ana', capacity: 2 }));
      const [busy1, busy2] = await insertConversations(buildConversation(), buildConversation());
      await sut.assign(tenantId, busy1!, later(0));
      await sut.assign(tenantId, busy2!, later(0));
      const [low, oldNormal, newNormal, urgent, high] = await insertConversations(
        buildConversation({ priority: 'low', waitingSince: later(-60) }),
        buildConversation({ priority: 'normal', waitingSince: later(10) }),
        buildConversation({ priority: 'normal', waitingSince: later(20) }),
        buildConversation({ priority: 'urgent', waitingSince: later(40) }),
        buildConversation({ priority: 'high', waitingSince: later(30) }),
      );
      for (const id of [low, oldNormal, newNormal, urgent, high])
        expect(await sut.assign(tenantId, id!, later(41))).toBeNull();

      const order: string[] = [];
      let holding = [busy1!, busy2!];
      for (let step = 0; step < 5; step++) {
        const done = holding.shift()!;
        await markResolved(done);
        const assigned = await sut.release(tenantId, done, 'ana', later(50 + step));
        expect(assigned).toHaveLength(1);
        order.push(assigned[0]!.conversationId);
        holding = [...holding, assigned[0]!.conversationId];
      }

      expect(order).toEqual([urgent, high, oldNormal, newNormal, low]);
      expect(await heldBy('ana')).toMatchObject({ load: 2 });
    });

    it('should give the capacity back once when the release is replayed', async () => {
      await seedAgents(buildAgent({ agentId: 'ana', capacity: 1 }));
      const [held, waiting] = await insertConversations(buildConversation(), buildConversation());
      await sut.assign(tenantId, held!, later(1));
      await markResolved(held!);

      const [first, replay] = await Promise.all([
        sut.release(tenantId, held!, 'ana', later(2)),
        sut.release(tenantId, held!, 'ana', later(2)),
      ]);
      const lateReplay = await sut.release(tenantId, held!, 'ana', later(3));

      expect([...first, ...replay, ...lateReplay].map((assignment) => assignment.conversationId)).toEqual([
        waiting,
      ]);
      expect(await heldBy('ana')).toMatchObject({ load: 1, conversations: [waiting] });
    });

    it('should give the capacity back when the conversation was moved to another queue before the release', async () => {
      await seedAgents(
        buildAgent({ agentId: 'ana', capacity: 1 }),
        buildAgent({ agentId: 'carla', queueIds: ['n1-directors'] }),
      );
      const [moved, waiting] = await insertConversations(buildConversation(), buildConversation());
      await sut.assign(tenantId, moved!, later(1));
      // The conversation store moves it first (unassigned, waiting in the new queue), then the router releases.
      await conversations().updateOne(
        { _id: moved! },
        { $set: { queueId: 'n1-directors', assigneeId: null, waitingSince: later(2) } },
      );

      const freed = await sut.release(tenantId, moved!, 'ana', later(2));
      const transferred = await sut.assign(tenantId, moved!, later(2));

      // The release drains the agent's queues and the queue the conversation now waits in.
      expect(
        freed.map((assignment) => [assignment.conversationId, assignment.agentId, assignment.queueId]).sort(),
      ).toEqual(
        [
          [moved, 'carla', 'n1-directors'],
          [waiting, 'ana', 'n1-solvers'],
        ].sort(),
      );
      expect(transferred).toBeNull();
      expect(await openPerAssignee()).toEqual({ ana: 1, carla: 1 });
      expect(await heldBy('ana')).toMatchObject({ load: 1, conversations: [waiting] });
    });

    it('should put an open conversation the agent still holds back in the line', async () => {
      await seedAgents(buildAgent({ agentId: 'ana', capacity: 1 }));
      const [id] = await insertConversations(buildConversation());
      await sut.assign(tenantId, id!, later(1));
      await sut.setPresence(tenantId, 'ana', 'away', later(2));

      expect(await sut.release(tenantId, id!, 'ana', later(3))).toEqual([]);
      expect(await conversations().findOne({ _id: id! })).toMatchObject({
        assigneeId: null,
        waitingSince: later(3),
      });
      expect(await heldBy('ana')).toMatchObject({ load: 0 });
    });
    it('should give back the capacity of an assignment a concurrent write undid when the agent next releases', async () => {
      await seedAgents(buildAgent({ agentId: 'ana', capacity: 2 }));
      const [undone, resolved] = await insertConversations(buildConversation(), buildConversation());
      await sut.assign(tenantId, undone!, later(1));
      await sut.assign(tenantId, resolved!, later(1));
      // FerretDB writes whole documents: a concurrent update of the conversation read before the assignment undoes it.
      await conversations().updateOne(
        { _id: undone! },
        { $set: { assigneeId: null, waitingSince: later(1) } },
      );
      expect(await sut.assign(tenantId, undone!, later(2))).toBeNull();
      await markResolved(resolved!);

      const assigned = await sut.release(tenantId, resolved!, 'ana', later(3));

      expect(assigned.map((assignment) => [assignment.conversationId, assignment.agentId])).toEqual([
        [undone, 'ana'],
      ]);
      expect(await heldBy('ana')).toMatchObject({ load: 1, conversations: [undone] });
    });
  });

  describe('setPresence', () => {
    it('should give waiting work to an agent at once when it comes online', async () => {
      await seedAgents(buildAgent({ agentId: 'ana', capacity: 3, presence: 'offline' }));
      const ids = await insertConversations(...Array.from({ length: 5 }, () => buildConversation()));
      for (const id of ids) expect(await sut.assign(tenantId, id, later(10))).toBeNull();

      const assigned = await sut.setPresence(tenantId, 'ana', 'online', later(20));

      expect(assigned.map((assignment) => assignment.conversationId)).toEqual(ids.slice(0, 3));
      expect(await openPerAssignee()).toEqual({ ana: 3 });
      expect(await waitingCount()).toBe(2);
    });

    it('should give nothing new to an away agent and let it keep its conversations', async () => {
      await seedAgents(buildAgent({ agentId: 'ana', capacity: 3 }));
      const [kept, incoming] = await insertConversations(buildConversation(), buildConversation());
      await sut.assign(tenantId, kept!, later(1));

      const onAway = await sut.setPresence(tenantId, 'ana', 'away', later(2));
      const assigned = await sut.assign(tenantId, incoming!, later(3));
      const drained = await sut.drainQueue(tenantId, 'n1-solvers', later(4));

      expect([onAway, assigned, drained]).toEqual([[], null, []]);
      expect(await openPerAssignee()).toEqual({ ana: 1 });
      expect(await agentDocument('ana')).toMatchObject({ presence: 'away' });
      expect(await heldBy('ana')).toMatchObject({ load: 1, conversations: [kept] });
    });

    it('should ignore a presence change older than the one applied', async () => {
      await seedAgents(buildAgent({ agentId: 'ana', presence: 'offline' }));
      await sut.setPresence(tenantId, 'ana', 'online', later(10));

      expect(await sut.setPresence(tenantId, 'ana', 'offline', later(5))).toEqual([]);
      expect(await agentDocument('ana')).toMatchObject({ presence: 'online', presenceChangedAt: later(10) });
    });
  });

  describe('setCapacity', () => {
    it('should assign waiting work at once when capacity is raised and keep the load when it is lowered', async () => {
      await seedAgents(buildAgent({ agentId: 'ana', capacity: 1 }));
      const ids = await insertConversations(buildConversation(), buildConversation(), buildConversation());
      await sut.assign(tenantId, ids[0]!, later(5));

      const raised = await sut.setCapacity(tenantId, 'ana', { capacity: 3, capacityByKind: {} }, later(6));
      const lowered = await sut.setCapacity(tenantId, 'ana', { capacity: 2, capacityByKind: {} }, later(7));

      expect(raised.map((assignment) => assignment.conversationId)).toEqual(ids.slice(1));
      expect(lowered).toEqual([]);
      expect(await agentDocument('ana')).toMatchObject({ capacity: 2 });
      expect(await heldBy('ana')).toMatchObject({ load: 3 });
    });
  });

  describe('applySeed', () => {
    it('should keep the load and presence of an agent when the seed is applied again', async () => {
      await seedAgents(buildAgent({ agentId: 'ana', capacity: 5, presence: 'offline' }));
      await sut.setPresence(tenantId, 'ana', 'online', later(1));
      const held = await insertConversations(buildConversation(), buildConversation());
      for (const id of held) await sut.assign(tenantId, id, later(2));
      const [waiting] = await insertConversations(buildConversation());

      // Same agent, capacity lowered to what it holds: nothing may be reset, so the waiting conversation stays.
      const lowered = await sut.applySeed(
        tenantId,
        buildSeed([buildAgent({ agentId: 'ana', capacity: 2, presence: 'offline' })]),
        later(3),
      );
      const raised = await sut.applySeed(
        tenantId,
        buildSeed([buildAgent({ agentId: 'ana', capacity: 3 })]),
        later(4),
      );

      expect(lowered).toEqual([]);
      expect(raised.map((assignment) => assignment.conversationId)).toEqual([waiting]);
      expect(await agentDocument('ana')).toMatchObject({ capacity: 3, presence: 'online' });
      expect(await heldBy('ana')).toMatchObject({ load: 3, conversations: [...held, waiting] });
    });
  });

  describe('with two router instances', () => {
    let other: TestingModule;

    beforeAll(async () => {
      other = await startApp(uri);
    });

    afterAll(async () => {
      await other?.close();
    });

    it('should never exceed capacity when both assign and drain the same conversations at once', async () => {
      await seedAgents(buildAgent({ agentId: 'ana' }), buildAgent({ agentId: 'bruno' }));
      const ids = await insertConversations(...Array.from({ length: 30 }, () => buildConversation()));
      const instances = [sut, other.get(AssignmentService)];

      const results = await Promise.all(
        instances.flatMap((instance) => [
          ...ids.map((id) => instance.assign(tenantId, id, later(60))),
          instance.drainQueue(tenantId, 'n1-solvers', later(60)),
        ]),
      );

      const reported = results.flatMap((result) => (Array.isArray(result) ? result : result ? [result] : []));
      expect(new Set(reported.map((assignment) => assignment.conversationId)).size).toBe(reported.length);
      expect(reported).toHaveLength(10);
      expect(await openPerAssignee()).toEqual({ ana: 5, bruno: 5 });
      expect(await heldBy('ana')).toMatchObject({ load: 5 });
      expect(await heldBy('bruno')).toMatchObject({ load: 5 });
      expect(await waitingCount()).toBe(20);
      expect(await claims().countDocuments({ tenantId })).toBe(0);
    });

    it('should never exceed capacity when both assign the same just-created conversations from their own reads, and drain', async () => {
      await seedAgents(buildAgent({ agentId: 'ana' }), buildAgent({ agentId: 'bruno' }));
      const created = Array.from({ length: 24 }, () => buildConversation());
      await insertConversations(...created);
      const [first, second] = [sut, other.get(AssignmentService)];

      const [fromFirst, fromSecond, drained] = await Promise.all([
        first!.assignCreated(created, later(60)),
        second!.assignCreated([...created].reverse(), later(60)),
        first!.drainQueue(tenantId, 'n1-solvers', later(60)),
      ]);

      const reported = [...fromFirst.values(), ...fromSecond.values(), ...drained].filter(
        (assignment) => assignment !== null,
      );
      expect(new Set(reported.map((assignment) => assignment.conversationId)).size).toBe(reported.length);
      expect(reported).toHaveLength(10);
      expect(await openPerAssignee()).toEqual({ ana: 5, bruno: 5 });
      expect(await heldBy('ana')).toMatchObject({ load: 5 });
      expect(await heldBy('bruno')).toMatchObject({ load: 5 });
      expect(await waitingCount()).toBe(14);
      expect(await claims().countDocuments({ tenantId })).toBe(0);
    });

    it('should never exceed capacity when both assign different just-created conversations to the same agents, their planned slots colliding', async () => {
      await seedAgents(
        buildAgent({ agentId: 'ana' }),
        buildAgent({ agentId: 'bruno' }),
        buildAgent({ agentId: 'carla' }),
      );
      const mine = Array.from({ length: 10 }, () => buildConversation());
      const theirs = Array.from({ length: 10 }, () => buildConversation());
      await insertConversations(...mine, ...theirs);

      const [fromMine, fromTheirs] = await Promise.all([
        sut.assignCreated(mine, later(60)),
        other.get(AssignmentService).assignCreated(theirs, later(60)),
      ]);

      const reported = [...fromMine.values(), ...fromTheirs.values()].filter(
        (assignment) => assignment !== null,
      );
      expect(reported).toHaveLength(15);
      expect(await openPerAssignee()).toEqual({ ana: 5, bruno: 5, carla: 5 });
      for (const agentId of ['ana', 'bruno', 'carla'])
        expect(await heldBy(agentId)).toMatchObject({ load: 5 });
      expect(await waitingCount()).toBe(5);
      expect(await claims().countDocuments({ tenantId })).toBe(0);
    });

    it('should never exceed capacity when both reserve for conversations about to be created, and drain', async () => {
      await seedAgents(
        buildAgent({ agentId: 'ana' }),
        buildAgent({ agentId: 'bruno' }),
        buildAgent({ agentId: 'carla' }),
      );
      const waiting = Array.from({ length: 6 }, () => buildConversation());
      await insertConversations(...waiting);
      const mine = Array.from({ length: 8 }, () => buildConversation());
      const theirs = Array.from({ length: 8 }, () => buildConversation());

      const [fromMine, fromTheirs, drained] = await Promise.all([
        sut.reserveForNew(mine, later(60)),
        other.get(AssignmentService).reserveForNew(theirs, later(60)),
        sut.drainQueue(tenantId, 'n1-solvers', later(60)),
      ]);

      const reservedCount = fromMine.size + fromTheirs.size;
      expect(reservedCount + drained.length).toBe(15);
      for (const agentId of ['ana', 'bruno', 'carla'])
        expect(await heldBy(agentId)).toMatchObject({ load: 5 });
    });

    it('should never exceed capacity when releases on one instance race assignments on the other', async () => {
      await seedAgents(
        buildAgent({ agentId: 'ana', capacity: 3 }),
        buildAgent({ agentId: 'bruno', capacity: 3 }),
      );
      const held = await insertConversations(...Array.from({ length: 6 }, () => buildConversation()));
      for (const id of held) await sut.assign(tenantId, id, later(1));
      const waiting = await insertConversations(...Array.from({ length: 20 }, () => buildConversation()));
      expect(await openPerAssignee()).toEqual({ ana: 3, bruno: 3 });
      const assignees = await conversations()
        .find({ _id: { $in: held } })
        .toArray();
      await conversations().updateMany(
        { _id: { $in: held } },
        { $set: { status: 'resolved', waitingSince: null } },
      );

      const results = await Promise.all([
        ...assignees.map((conversation) =>
          sut.release(tenantId, conversation._id, conversation.assigneeId!, later(2)),
        ),
        ...waiting.map((id) => other.get(AssignmentService).assign(tenantId, id, later(2))),
      ]);

      const reported = results.flatMap((result) => (Array.isArray(result) ? result : result ? [result] : []));
      expect(reported).toHaveLength(6);
      expect(await openPerAssignee()).toEqual({ ana: 3, bruno: 3 });
      expect(await heldBy('ana')).toMatchObject({ load: 3 });
      expect(await heldBy('bruno')).toMatchObject({ load: 3 });
      expect(await waitingCount()).toBe(14);
    });
  });
});
