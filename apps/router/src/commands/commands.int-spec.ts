import { buildDeliveryStatus, createEnvelope, Topics } from '@ponte/contracts';
import { waitFor } from '@ponte/testing';
import { RouterHarness, TENANT } from '../testing/router.harness';

interface StoredConversation {
  _id: string;
  status: string;
  queueId: string;
  tier: string;
  assigneeId: string | null;
  intake?: { category: string };
  resolvedByTier?: string;
  fcr?: boolean;
  firstRespondedAt?: Date;
}

interface StoredMessage {
  _id: string;
  conversationId: string;
  direction: string;
  content: { text?: string; subject?: string };
  deliveryState?: string;
}

const agent = (id: string, role: 'solver' | 'director' | 'n2' | 'n3') => ({ id, role });

describe('router: agent commands', () => {
  let router: RouterHarness;

  beforeEach(async () => {
    router = await RouterHarness.start();
  });

  afterEach(async () => {
    await router.stop();
  });

  const conversations = () => router.collection<StoredConversation>('conversations');
  const messages = () => router.collection<StoredMessage>('messages');

  async function openConversation(text: string, from = '+5511987650001'): Promise<StoredConversation> {
    await router.inbound({ channel: 'sms', from: { address: from }, content: { text } });
    const created = await router.event('created');
    await router.event('assigned', (event) => event.conversationId === created.conversationId);
    return (await conversations().findOne({ _id: created.conversationId }))!;
  }

  it('should resolve on first contact at tier 1 and free the solver', async () => {
    const conversation = await openConversation('qual o prazo de entrega?');

    await router.command('reply', {
      conversationId: conversation._id,
      agent: agent(conversation.assigneeId!, 'solver'),
      content: { text: 'Chega amanhã!' },
    });
    await router.command('resolve', {
      conversationId: conversation._id,
      agent: agent(conversation.assigneeId!, 'solver'),
    });
    await router.event('resolved', (event) => event.conversationId === conversation._id);

    const resolved = await conversations().findOne({ _id: conversation._id });
    expect(resolved).toMatchObject({ status: 'resolved', resolvedByTier: 'n1', fcr: true });
    expect(resolved?.firstRespondedAt).toBeInstanceOf(Date);
    // The outbound topic is read apart from the event topic.
    await waitFor(() => router.outbound.length > 0, { description: 'the reply on the outbound topic' });
    expect(router.outbound).toEqual([
      expect.objectContaining({
        conversationId: conversation._id,
        channel: 'sms',
        to: { address: '+5511987650001' },
        content: { text: 'Chega amanhã!' },
      }),
    ]);
    // Capacity is held as one unit document per conversation (see AssignmentService).
    const units = router.collection('agent_capacity_units');
    expect(await units.countDocuments({ agentId: conversation.assigneeId! })).toBe(0);
  });

  it('should name apart the conversations one command assigns, and give each event the command as its cause', async () => {
    const solvers = ['solver-1', 'solver-2'];
    for (const id of solvers)
      await router.command('set-presence', { agent: agent(id, 'solver'), presence: 'offline' });
    // Commands and inbound messages are separate topics: the router may take the messages first unless we wait.
    await waitFor(
      async () =>
        (await router
          .collection('agents')
          .countDocuments({ agentId: { $in: solvers }, presence: 'online' })) === 0,
      { description: 'the N1 solvers offline' },
    );
    for (const from of ['+5511987650011', '+5511987650012'])
      await router.inbound({ channel: 'sms', from: { address: from }, content: { text: 'oi' } });
    await waitFor(
      () => router.events.filter((event) => event.data.kind === 'created').length === 2 || undefined,
      {
        description: 'two conversations created, waiting',
      },
    );
    const waiting = router.events
      .filter((event) => event.data.kind === 'created')
      .map((event) => event.data.conversationId);

    const online = await router.command('set-presence', {
      agent: agent('solver-1', 'solver'),
      presence: 'online',
    });

    const assigned = await waitFor(
      () => {
        const found = router.events.filter(
          (event) => event.data.kind === 'assigned' && router.causes.get(event.id) === online.data.commandId,
        );
        return found.length === 2 ? found : undefined;
      },
      { description: 'both waiting conversations assigned by the presence command' },
    );
    expect(assigned.map((event) => event.data.conversationId).sort()).toEqual([...waiting].sort());
    expect(new Set(assigned.map((event) => event.id)).size).toBe(2);
    // Events of an inbound message name the message as their cause.
    const appended = router.events.flatMap((event) =>
      event.data.kind === 'message.appended'
        ? [[router.causes.get(event.id), event.data.message.messageId]]
        : [],
    );
    expect(appended).toHaveLength(2);
    for (const [cause, messageId] of appended) expect(cause).toBe(messageId);
  });

  it("should keep the conversation, its history and the director's intake when escalated to N3, and record the tier on resolution", async () => {
    const conversation = await openConversation('quero cancelar meu plano, cobraram duas vezes');
    expect(conversation.queueId).toBe('n1-directors');

    await router.command('escalate', {
      conversationId: conversation._id,
      agent: agent('director-1', 'director'),
      toTier: 'n3',
      intake: {
        category: 'faturamento',
        summary: 'cobrança em duplicidade',
        triedSteps: ['conferiu fatura'],
      },
    });
    await router.event('escalated', (event) => event.conversationId === conversation._id);
    await router.command('set-presence', { agent: agent('n3-1', 'n3'), presence: 'online' });
    await router.event(
      'assigned',
      (event) => event.conversationId === conversation._id && event.agentId === 'n3-1',
    );
    await router.command('reply', {
      conversationId: conversation._id,
      agent: agent('n3-1', 'n3'),
      content: { text: 'Estornamos a cobrança em duplicidade.' },
    });
    await router.command('resolve', { conversationId: conversation._id, agent: agent('n3-1', 'n3') });
    await router.event('resolved', (event) => event.conversationId === conversation._id);

    const resolved = await conversations().findOne({ _id: conversation._id });
    const timeline = await messages()
      .find({ conversationId: conversation._id })
      .sort({ createdAt: 1 })
      .toArray();
    expect(resolved).toMatchObject({
      queueId: 'n3-specialists',
      tier: 'n3',
      intake: expect.objectContaining({ category: 'faturamento' }),
      resolvedByTier: 'n3',
      fcr: false,
    });
    expect(timeline.map((message) => message.direction)).toEqual(['incoming', 'activity', 'outgoing']);
    expect(timeline[1]?.content.text).toContain('cobrança em duplicidade');
    expect(await conversations().countDocuments()).toBe(1);
  });

  it('should reject bad commands with a typed reason and change nothing', async () => {
    const conversation = await openConversation('oi');
    const before = await conversations().findOne({ _id: conversation._id });
    const eventsBefore = router.events.length;

    const unknown = await router.command('resolve', {
      conversationId: 'no-such-conversation',
      agent: agent('solver-1', 'solver'),
    });
    const notAllowed = await router.command('resolve', {
      conversationId: conversation._id,
      agent: agent('n2-1', 'n2'),
    });
    const solverEscalating = await router.command('escalate', {
      conversationId: conversation._id,
      agent: agent(conversation.assigneeId!, 'solver'),
      toTier: 'n2',
      intake: { category: 'x', summary: 'y', triedSteps: [] },
    });
    const dead = await router.deadLetters(3, Topics.agentCommand);

    // In any order: the unknown conversation's command is keyed apart from the other two (another partition).
    const byEnvelope = (rows: (string | undefined)[][]) =>
      [...rows].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(
      byEnvelope(dead.map((letter) => [letter.envelopeId, letter.code, letter.error?.split(': ')[1]])),
    ).toEqual(
      byEnvelope([
        [unknown.id, 'REJECTED', 'UNKNOWN_CONVERSATION'],
        [notAllowed.id, 'REJECTED', 'NOT_ALLOWED'],
        [solverEscalating.id, 'REJECTED', 'NOT_ALLOWED'],
      ]),
    );
    expect(await conversations().findOne({ _id: conversation._id })).toEqual(before);
    expect(router.events.slice(eventsBefore)).toEqual([]);
  });

  it('should transfer to a named agent of the target queue, and refuse one who is offline, changing nothing', async () => {
    const conversation = await openConversation('preciso falar com o técnico');
    const other = conversation.assigneeId === 'solver-1' ? 'solver-2' : 'solver-1';

    const offline = await router.command('transfer', {
      conversationId: conversation._id,
      agent: agent(conversation.assigneeId!, 'solver'),
      toQueueId: 'n3-specialists',
      toAgentId: 'n3-1',
    });
    const [dead] = await router.deadLetters(1, Topics.agentCommand);
    expect([dead?.envelopeId, dead?.error?.split(': ')[1]]).toEqual([offline.id, 'AGENT_UNAVAILABLE']);
    expect(await conversations().findOne({ _id: conversation._id })).toMatchObject({
      queueId: 'n1-solvers',
      assigneeId: conversation.assigneeId,
    });

    await router.command('transfer', {
      conversationId: conversation._id,
      agent: agent(conversation.assigneeId!, 'solver'),
      toQueueId: 'n1-solvers',
      toAgentId: other,
      reason: 'cliente pediu outro atendente',
    });
    const transferred = await router.event(
      'transferred',
      (event) => event.conversationId === conversation._id,
    );
    await router.event(
      'assigned',
      (event) => event.conversationId === conversation._id && event.agentId === other,
    );

    expect(transferred).toMatchObject({
      fromAgentId: conversation.assigneeId,
      toQueueId: 'n1-solvers',
      toAgentId: other,
      reason: 'cliente pediu outro atendente',
    });
    expect(await conversations().findOne({ _id: conversation._id })).toMatchObject({ assigneeId: other });
  });

  it('should apply a command delivered twice once', async () => {
    const conversation = await openConversation('pode me ligar?');
    const note = await router.command('note', {
      conversationId: conversation._id,
      agent: agent(conversation.assigneeId!, 'solver'),
      content: { text: 'cliente prefere ligação à tarde' },
    });
    await router.bus.publish(Topics.agentCommand, note, { key: conversation._id });
    await router.command('resolve', {
      conversationId: conversation._id,
      agent: agent(conversation.assigneeId!, 'solver'),
    });
    await router.event('resolved', (event) => event.conversationId === conversation._id);

    expect(await messages().countDocuments({ conversationId: conversation._id, direction: 'note' })).toBe(1);
  });

  it('should move delivery statuses forward only and report each new state once', async () => {
    const conversation = await openConversation('status?');
    await router.command('reply', {
      conversationId: conversation._id,
      agent: agent(conversation.assigneeId!, 'solver'),
      content: { text: 'verificando' },
    });
    const appended = await router.event(
      'message.appended',
      (event) => event.conversationId === conversation._id && event.message.direction === 'outgoing',
    );
    const messageId = appended.message.messageId;
    for (const state of ['delivered', 'sent', 'read', 'queued'] as const) {
      await router.status({ messageId, conversationId: conversation._id, state });
    }
    await waitFor(
      () =>
        router.events.some(
          (event) => event.data.kind === 'message.status.updated' && event.data.state === 'read',
        ),
      { description: 'the read status' },
    );
    // A barrier on the reports' key, hence their partition (the marker below is on another topic): a report of a
    // message the router never sent, which it dead-letters; once it is in the DLQ, the late `queued` was handled too.
    // Published only now, so it cannot share a batch with `read` (a batch with a refused record is handled again).
    const barrier = createEnvelope(
      Topics.deliveryStatus,
      buildDeliveryStatus({
        messageId: `never-sent-${messageId}`,
        conversationId: conversation._id,
        channel: 'sms',
        occurredAt: new Date().toISOString(),
      }),
      { source: '/ponte/test', tenantId: TENANT },
    );
    await router.bus.publish(Topics.deliveryStatus, barrier, { key: messageId });
    expect((await router.deadLetters(1, Topics.deliveryStatus)).map((letter) => letter.envelopeId)).toEqual([
      barrier.id,
    ]);
    const marker = await router.inbound({
      channel: 'sms',
      from: { address: '+5511987650001' },
      content: { text: 'marker' },
    });
    await router.waitForMessages(3);
    // The marker's event follows any event of the reports on the conversation's key: the recorder has them all.
    await router.event('message.appended', (event) => event.message.externalId === marker.data.externalId);

    expect((await messages().findOne({ _id: messageId }))?.deliveryState).toBe('read');
    // By event id: a batch handled again (a refused record, a rebalance) re-emits its events under the same ids.
    const distinct = new Map(
      router.events
        .filter((event) => event.data.kind === 'message.status.updated')
        .map((event) => [event.id, (event.data as { state: string }).state]),
    );
    expect([...distinct.values()]).toEqual(['delivered', 'read']);
  });
});
