import { buildConversationEvent } from '@ponte/contracts';
import { type ConversationPlacement, ConversationPlacements } from './conversation-placements';

const TENANT = 'tenant-1';

function buildSut(stored: Record<string, ConversationPlacement> = {}) {
  let now = 0;
  const loads: string[] = [];
  const sut = new ConversationPlacements(
    (tenantId, conversationId) => {
      loads.push(`${tenantId}|${conversationId}`);
      return Promise.resolve(stored[`${tenantId}|${conversationId}`] ?? null);
    },
    { ttlMs: 1_000, maxEntries: 2, now: () => now },
  );
  return { sut, loads, advance: (ms: number) => (now += ms) };
}

describe(ConversationPlacements.name, () => {
  const inQ1 = { tenantId: TENANT, queueId: 'q1', assigneeId: null };

  it('should read the store once when the conversation is asked again within the ttl', async () => {
    const { sut, loads } = buildSut({ [`${TENANT}|c1`]: inQ1 });

    await sut.get(TENANT, 'c1');
    const placement = await sut.get(TENANT, 'c1');

    expect(placement).toEqual(inQ1);
    expect(loads).toEqual([`${TENANT}|c1`]);
  });

  it('should read the store again when the ttl has passed', async () => {
    const { sut, loads, advance } = buildSut({ [`${TENANT}|c1`]: inQ1 });
    await sut.get(TENANT, 'c1');

    advance(1_000);
    await sut.get(TENANT, 'c1');

    expect(loads).toHaveLength(2);
  });

  it('should never answer with another tenant when the store has the id in one tenant only', async () => {
    const { sut } = buildSut({ [`${TENANT}|c1`]: inQ1 });

    await expect(sut.get('other-tenant', 'c1')).resolves.toBeNull();
  });

  it('should take the new queue and agent from a transfer without reading the store', async () => {
    const { sut, loads } = buildSut();

    const placement = await sut.apply(
      TENANT,
      buildConversationEvent('transferred', { conversationId: 'c1', toQueueId: 'q2', toAgentId: 'bia' }),
    );

    expect(placement).toEqual({ tenantId: TENANT, queueId: 'q2', assigneeId: 'bia' });
    expect(loads).toEqual([]);
  });

  it('should take the placement before a transfer from the event when nothing is cached', () => {
    const { sut } = buildSut();

    const before = sut.before(
      TENANT,
      buildConversationEvent('transferred', { conversationId: 'c1', fromQueueId: 'q1', fromAgentId: 'ana' }),
    );

    expect(before).toEqual({ tenantId: TENANT, queueId: 'q1', assigneeId: 'ana' });
  });

  it('should keep the queue and set the assignee when an assignment names no queue', async () => {
    const { sut } = buildSut({ [`${TENANT}|c1`]: inQ1 });
    await sut.get(TENANT, 'c1');

    const placement = await sut.apply(
      TENANT,
      buildConversationEvent('assigned', { conversationId: 'c1', agentId: 'ana' }),
    );

    expect(placement).toEqual({ tenantId: TENANT, queueId: 'q1', assigneeId: 'ana' });
  });

  it('should read the store when an escalation names no queue', async () => {
    const { sut, loads } = buildSut({ [`${TENANT}|c1`]: { ...inQ1, queueId: 'n2' } });

    const placement = await sut.apply(TENANT, buildConversationEvent('escalated', { conversationId: 'c1' }));

    expect(placement?.queueId).toBe('n2');
    expect(loads).toEqual([`${TENANT}|c1`]);
  });

  it('should forget the oldest conversation when more than maxEntries are kept', async () => {
    const { sut } = buildSut({ [`${TENANT}|c1`]: inQ1, [`${TENANT}|c2`]: inQ1, [`${TENANT}|c3`]: inQ1 });

    await sut.get(TENANT, 'c1');
    await sut.get(TENANT, 'c2');
    await sut.get(TENANT, 'c3');

    expect(sut.peek(TENANT, 'c1')).toBeUndefined();
    expect(sut.peek(TENANT, 'c3')).toEqual(inQ1);
  });
});
