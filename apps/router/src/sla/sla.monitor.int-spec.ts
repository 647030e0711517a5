import { RouterHarness } from '../testing/router.harness';
import { SlaMonitor } from './sla.monitor';

const MINUTE = 60_000;

describe(SlaMonitor.name, () => {
  let router: RouterHarness;

  beforeEach(async () => {
    // The periodic check stays out of the way; the test drives checkNow itself.
    router = await RouterHarness.start({ env: { ROUTER_SLA_CHECK_INTERVAL_MS: String(60 * MINUTE) } });
  });

  afterEach(async () => {
    await router.stop();
  });

  it('should report a missed first response once, and not report a conversation that got its reply in time', async () => {
    const receivedAt = Date.now();
    await router.inbound({
      channel: 'whatsapp',
      from: { address: '5511987651111@c.us' },
      receivedAt: new Date(receivedAt).toISOString(),
    });
    await router.inbound({
      channel: 'sms',
      from: { address: '+5511987652222' },
      receivedAt: new Date(receivedAt).toISOString(),
    });
    const late = await router.event('created', (event) => event.channel === 'whatsapp');
    const answered = await router.event('created', (event) => event.channel === 'sms');
    const assigned = await router.event(
      'assigned',
      (event) => event.conversationId === answered.conversationId,
    );
    await router.command('reply', {
      conversationId: answered.conversationId,
      agent: { id: assigned.agentId, role: 'solver' },
      content: { text: 'Olá! Já vou verificar.' },
    });
    await router.event(
      'message.appended',
      (event) => event.conversationId === answered.conversationId && event.message.direction === 'outgoing',
    );
    const monitor = router.get(SlaMonitor);

    // Messaging answers within 5 minutes (normal priority); 6 minutes later the first clock is overdue.
    const firstCheck = await monitor.checkNow(new Date(receivedAt + 6 * MINUTE));
    const secondCheck = await monitor.checkNow(new Date(receivedAt + 7 * MINUTE));
    const breach = await router.event(
      'sla.breached',
      (event) => event.conversationId === late.conversationId,
    );

    expect(firstCheck).toBe(1);
    expect(secondCheck).toBe(0);
    expect(breach).toMatchObject({
      sla: 'first-response',
      dueAt: new Date(receivedAt + 5 * MINUTE).toISOString(),
    });
    const breaches = router.events.filter((event) => event.data.kind === 'sla.breached');
    expect(breaches.map((event) => event.data.conversationId)).toEqual([late.conversationId]);
  });

  it('should apply the targets of the new priority from the first inbound when the priority changes', async () => {
    const receivedAt = Date.now();
    await router.inbound({
      channel: 'whatsapp',
      from: { address: '5511987653333@c.us' },
      receivedAt: new Date(receivedAt).toISOString(),
    });
    const created = await router.event('created');
    const assigned = await router.event(
      'assigned',
      (event) => event.conversationId === created.conversationId,
    );
    await router.command('set-priority', {
      conversationId: created.conversationId,
      agent: { id: assigned.agentId, role: 'solver' },
      priority: 'urgent',
    });
    await router.event('priority.changed', (event) => event.conversationId === created.conversationId);
    const monitor = router.get(SlaMonitor);

    // Urgent messaging: a quarter of the 5 normal minutes. Two minutes in, it is overdue; at normal it would not be.
    expect(await monitor.checkNow(new Date(receivedAt + 2 * MINUTE))).toBe(1);
    const breach = await router.event(
      'sla.breached',
      (event) => event.conversationId === created.conversationId,
    );
    expect(breach).toMatchObject({
      sla: 'first-response',
      dueAt: new Date(receivedAt + 75_000).toISOString(),
    });
  });
});
