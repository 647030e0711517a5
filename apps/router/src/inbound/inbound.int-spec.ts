import { buildInboundMessage, type InboundMessage, messageKey, Topics } from '@ponte/contracts';
import { waitFor } from '@ponte/testing';
import { RouterHarness } from '../testing/router.harness';

interface StoredMessage {
  _id: string;
  conversationId: string;
  customerId: string;
  channel: string;
  externalId: string;
  content: { text?: string };
  createdAt: Date;
}

interface StoredConversation {
  _id: string;
  customerId: string;
  status: string;
}

function messageKeyOf(overrides: Partial<InboundMessage>): string {
  return messageKey(Topics.inboundMessage, buildInboundMessage(overrides));
}

describe('router: inbound messages', () => {
  let router: RouterHarness;

  beforeEach(async () => {
    router = await RouterHarness.start();
  });

  afterEach(async () => {
    await router.stop();
  });

  const messages = () => router.collection<StoredMessage>('messages');
  const conversations = () => router.collection<StoredConversation>('conversations');

  it('should thread WhatsApp, then SMS from the same phone without the 9th digit, then WhatsApp into one timeline', async () => {
    const base = Date.now();
    await router.inbound({
      channel: 'whatsapp',
      from: { address: '551187654321@c.us' },
      content: { text: 'oi, meu pedido não chegou' },
      receivedAt: new Date(base).toISOString(),
    });
    await router.waitForMessages(1);
    await router.inbound({
      channel: 'sms',
      from: { address: '+5511987654321' },
      content: { text: 'mandei no zap também' },
      receivedAt: new Date(base + 1_000).toISOString(),
    });
    await router.waitForMessages(2);
    await router.inbound({
      channel: 'whatsapp',
      from: { address: '551187654321@c.us' },
      content: { text: 'alguma novidade? 🙏' },
      receivedAt: new Date(base + 2_000).toISOString(),
    });
    await router.waitForMessages(3);

    const stored = await messages().find().sort({ createdAt: 1 }).toArray();
    const open = await conversations().find({ status: 'open' }).toArray();
    expect(new Set(stored.map((message) => message.customerId)).size).toBe(1);
    expect(open).toHaveLength(1);
    expect(stored.map((message) => [message.conversationId, message.channel, message.content.text])).toEqual([
      [open[0]!._id, 'whatsapp', 'oi, meu pedido não chegou'],
      [open[0]!._id, 'sms', 'mandei no zap também'],
      [open[0]!._id, 'whatsapp', 'alguma novidade? 🙏'],
    ]);
  });

  it('should store a message delivered 3 times in a row and 5 times at once only once, with one set of events', async () => {
    const first = await router.inbound({ channel: 'sms', from: { address: '+5511912345678' } });
    await router.republish(first);
    await router.republish(first);
    await Promise.all(Array.from({ length: 5 }, () => router.republish(first)));
    const marker = await router.inbound({ channel: 'sms', from: { address: '+5511912345678' } });

    await router.waitForMessages(2);
    const [conversation] = await conversations().find().toArray();
    await waitFor(
      () =>
        router.eventsOf(conversation!._id).filter((event) => event.kind === 'message.appended').length >= 9,
      { description: 'the events of the 8 deliveries and the marker' },
    );

    expect(await messages().countDocuments({ externalId: first.data.externalId })).toBe(1);
    const ids = router.events.filter((event) => event.data.conversationId === conversation!._id);
    const distinct = new Map(ids.map((event) => [event.id, event.data.kind]));
    // created + appended (+ assigned) of the first message, appended of the marker: copies share their ids.
    expect([...distinct.values()].filter((kind) => kind === 'message.appended')).toHaveLength(2);
    expect([...distinct.values()].filter((kind) => kind === 'created')).toHaveLength(1);
    // Every delivery of the first message re-emitted its conversation's assignment too, under the same id.
    const copies = (kind: string) => ids.filter((event) => event.data.kind === kind).length;
    expect([...distinct.values()].filter((kind) => kind === 'assigned')).toHaveLength(1);
    expect(copies('assigned')).toBe(copies('created'));
    expect(marker.data.externalId).not.toBe(first.data.externalId);
  });

  it('should give a burst of 5 messages from a new contact on two channels at once one customer and one conversation', async () => {
    await Promise.all([
      ...Array.from({ length: 3 }, (_, index) =>
        router.inbound({
          channel: 'whatsapp',
          from: { address: '5521976543210@c.us' },
          content: { text: `wa ${index}` },
        }),
      ),
      ...Array.from({ length: 2 }, (_, index) =>
        router.inbound({
          channel: 'sms',
          from: { address: '+55 21 97654-3210' },
          content: { text: `sms ${index}` },
        }),
      ),
    ]);

    await router.waitForMessages(5);

    const stored = await messages().find().toArray();
    expect(new Set(stored.map((message) => message.customerId)).size).toBe(1);
    expect(new Set(stored.map((message) => message.conversationId)).size).toBe(1);
    expect(await conversations().countDocuments()).toBe(1);
  });

  it('should dead-letter an inbound message with an unusable sender, with its reason, and go on with the partition', async () => {
    const valid = { channel: 'sms' as const, from: { address: '+5511955554444' } };
    const sameKey = messageKeyOf(valid);
    const poison = await router.inbound({ channel: 'sms', from: { address: 'not a phone' } }, sameKey);
    const next = await router.inbound(valid);

    await router.waitForMessages(1);
    const dead = await router.deadLetters(1);

    expect(dead[0]?.envelopeId).toBe(poison.id);
    expect(dead[0]?.code).toBe('REJECTED');
    expect(dead[0]?.error).toContain('INVALID_ADDRESS');
    expect((await messages().find().toArray()).map((message) => message.externalId)).toEqual([
      next.data.externalId,
    ]);
  });

  describe('when the customer thread hint is wrong (it is only a hint: the conversations decide)', () => {
    const threads = () =>
      router.collection<{ _id: string; openConversationId: string | null }>('customer_threads');

    it('should join the open conversation when the hint is gone, as after a crash before it was written', async () => {
      const from = { address: '+5511933332222' };
      await router.inbound({ channel: 'sms', from, content: { text: 'primeira' } });
      await router.waitForMessages(1);
      const [open] = await conversations().find().toArray();
      await threads().deleteMany({});

      await router.inbound({ channel: 'sms', from, content: { text: 'segunda' } });
      await router.waitForMessages(2);

      const stored = await messages().find().sort({ createdAt: 1 }).toArray();
      expect(stored.map((message) => message.conversationId)).toEqual([open?._id, open?._id]);
      expect(await conversations().countDocuments()).toBe(1);
      expect((await threads().find().toArray()).map((thread) => thread.openConversationId)).toEqual([
        open?._id,
      ]);
    });

    it('should not append to a resolved conversation a stale hint still names, past the reopen window', async () => {
      const from = { address: '+5511944443333' };
      const resolvedAt = Date.now();
      await router.inbound({ channel: 'sms', from, content: { text: 'antiga' } });
      const created = await router.event('created');
      await router.event('assigned', (event) => event.conversationId === created.conversationId);
      const assigned = await conversations().findOne({ _id: created.conversationId });
      await router.command('resolve', {
        conversationId: created.conversationId,
        agent: { id: (assigned as { assigneeId?: string } | null)?.assigneeId ?? '', role: 'solver' },
      });
      await router.event('resolved', (event) => event.conversationId === created.conversationId);
      // As if the resolution's hint update had been lost.
      await threads().updateMany({}, { $set: { openConversationId: created.conversationId } });

      const reopenWindowMs = 24 * 60 * 60_000;
      await router.inbound({
        channel: 'sms',
        from,
        content: { text: 'nova, dias depois' },
        receivedAt: new Date(resolvedAt + reopenWindowMs + 60_000).toISOString(),
      });
      await router.waitForMessages(2);

      const later = await messages().findOne({ 'content.text': 'nova, dias depois' });
      expect(later?.conversationId).not.toBe(created.conversationId);
      expect(await conversations().findOne({ _id: created.conversationId })).toMatchObject({
        status: 'resolved',
      });
      expect(await conversations().findOne({ _id: later?.conversationId })).toMatchObject({ status: 'open' });
    });
  });

  describe('e-mail threading by Message-ID', () => {
    const DAY = 24 * 60 * 60_000;

    it('should reopen a resolved conversation for a reply naming its Message-ID, from another address, past the window', async () => {
      const sentAt = Date.now();
      await router.inbound({
        channel: 'email',
        from: { address: 'ana@example.com' },
        content: { subject: 'Pedido 123', text: 'não chegou' },
        threading: { messageId: 'pedido-123@mail.example.com' },
        receivedAt: new Date(sentAt).toISOString(),
      });
      const created = await router.event('created');
      const assigned = await router.event(
        'assigned',
        (event) => event.conversationId === created.conversationId,
      );
      await router.command('resolve', {
        conversationId: created.conversationId,
        agent: { id: assigned.agentId, role: 'solver' },
      });
      await router.event('resolved', (event) => event.conversationId === created.conversationId);

      // Eight days later (past the 7-day e-mail window), from her work address, quoting the first mail; the
      // client rewrote the id's case and kept the brackets.
      await router.inbound({
        channel: 'email',
        from: { address: 'ana.silva@work.example' },
        content: { subject: 'Re: Pedido 123', text: 'ainda não chegou' },
        threading: {
          messageId: 'resposta-1@work.example',
          inReplyTo: '<Pedido-123@MAIL.example.com>',
          references: ['<Pedido-123@MAIL.example.com>'],
        },
        receivedAt: new Date(sentAt + 8 * DAY).toISOString(),
      });
      await router.waitForMessages(2);

      const reply = await messages().findOne({ 'content.text': 'ainda não chegou' });
      expect(reply?.conversationId).toBe(created.conversationId);
      expect(await conversations().findOne({ _id: created.conversationId })).toMatchObject({
        status: 'open',
      });
      expect(await conversations().countDocuments()).toBe(1);
    });

    it("should thread a customer's answer to our reply by the Message-ID the e-mail service reported", async () => {
      await router.inbound({
        channel: 'email',
        from: { address: 'bia@example.com' },
        content: { subject: 'Boleto', text: 'preciso da segunda via' },
        threading: { messageId: 'boleto@example.com' },
      });
      const created = await router.event('created');
      const assigned = await router.event(
        'assigned',
        (event) => event.conversationId === created.conversationId,
      );
      await router.command('reply', {
        conversationId: created.conversationId,
        agent: { id: assigned.agentId, role: 'solver' },
        content: { text: 'Segue a segunda via.' },
      });
      const outgoing = await router.event(
        'message.appended',
        (event) => event.conversationId === created.conversationId && event.message.direction === 'outgoing',
      );
      await router.status({
        messageId: outgoing.message.messageId,
        conversationId: created.conversationId,
        state: 'sent',
        externalId: 'ponte-reply-1@ponte.example',
      });
      await router.event(
        'message.status.updated',
        (event) => event.conversationId === created.conversationId,
      );

      await router.inbound({
        channel: 'email',
        from: { address: 'financeiro@bia-empresa.example' },
        content: { subject: 'Re: Boleto', text: 'recebido, obrigado' },
        threading: { messageId: 'fin-1@bia-empresa.example', inReplyTo: 'ponte-reply-1@ponte.example' },
      });
      await router.waitForMessages(3);

      const answer = await messages().findOne({ 'content.text': 'recebido, obrigado' });
      expect(answer?.conversationId).toBe(created.conversationId);
    });
  });
});
