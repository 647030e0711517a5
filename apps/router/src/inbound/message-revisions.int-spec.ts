import { Topics } from '@ponte/contracts';
import { waitFor } from '@ponte/testing';
import { RouterHarness } from '../testing/router.harness';

interface StoredMessage {
  _id: string;
  conversationId: string;
  externalId: string;
  content: { text?: string };
  attachments?: unknown[];
  revision?: string;
  revisions?: { kind: string; previousContent: { text?: string } }[];
  automated?: string;
}

describe('router: edits, deletions and machine-written mail', () => {
  let router: RouterHarness;

  beforeEach(async () => {
    router = await RouterHarness.start();
  });

  afterEach(async () => {
    await router.stop();
  });

  const messages = () => router.collection<StoredMessage>('messages');
  const CUSTOMER = { address: '123456789', displayName: 'Rafa' };
  const at = (offsetMs: number) => new Date(Date.now() - 60_000 + offsetMs).toISOString();

  it('should apply an edit once, keep the earlier text, ignore an older edit arriving late, and emit message.revised', async () => {
    await router.inbound({
      channel: 'telegram',
      externalId: '4711',
      from: CUSTOMER,
      content: { text: 'meu pedido é 1234' },
      sentAt: at(0),
    });
    const appended = await router.event('message.appended');
    const edit = await router.inbound({
      channel: 'telegram',
      externalId: '4711:edit:2',
      from: CUSTOMER,
      content: { text: 'meu pedido é 1243' },
      sentAt: at(2_000),
      revision: { kind: 'edited', of: '4711' },
    });
    await router.republish(edit);
    await router.republish(edit);
    // An earlier edit the provider delivered late: the newer text stays.
    await router.inbound({
      channel: 'telegram',
      externalId: '4711:edit:1',
      from: CUSTOMER,
      content: { text: 'meu pedido é 124' },
      sentAt: at(1_000),
      revision: { kind: 'edited', of: '4711' },
    });
    const marker = await router.inbound({ channel: 'telegram', from: CUSTOMER, content: { text: 'marker' } });
    await router.waitForMessages(2);
    await router.event('message.appended', (event) => event.message.externalId === marker.data.externalId);

    const stored = await messages().findOne({ _id: appended.message.messageId });
    expect(stored).toMatchObject({
      content: { text: 'meu pedido é 1243' },
      revision: 'edited',
      revisions: [{ kind: 'edited', previousContent: { text: 'meu pedido é 1234' } }],
    });
    expect(await messages().countDocuments()).toBe(2);
    const revised = router.events.filter((event) => event.data.kind === 'message.revised');
    expect(new Set(revised.map((event) => event.id)).size).toBe(1);
    expect(revised[0]?.data).toMatchObject({
      messageId: appended.message.messageId,
      revision: 'edited',
      content: { text: 'meu pedido é 1243' },
    });
  });

  it('should empty a deleted message for good, keep what it said for audits, and ignore a deletion of an unknown message', async () => {
    await router.inbound({
      channel: 'whatsapp',
      externalId: 'wamid.A',
      from: { address: '5511955550002' },
      content: { text: 'meu cpf é 123.456.789-00' },
      attachments: [{ blobId: 'blob/doc-1', contentType: 'image/jpeg', size: 10 }],
    });
    const appended = await router.event('message.appended');
    await router.inbound({
      channel: 'whatsapp',
      externalId: 'deleted:wamid.A',
      from: { address: '5511955550002' },
      content: {},
      revision: { kind: 'deleted', of: 'wamid.A' },
    });
    await router.event('message.revised');
    // An edit after the deletion cannot bring it back; a deletion of a message never received changes nothing.
    await router.inbound({
      channel: 'whatsapp',
      externalId: 'edit:wamid.A',
      from: { address: '5511955550002' },
      content: { text: 'de volta' },
      revision: { kind: 'edited', of: 'wamid.A' },
    });
    await router.inbound({
      channel: 'whatsapp',
      externalId: 'deleted:wamid.NEVER',
      from: { address: '5511955550002' },
      content: {},
      revision: { kind: 'deleted', of: 'wamid.NEVER' },
    });
    const marker = await router.inbound({ channel: 'whatsapp', from: { address: '5511955550002' } });
    await router.event('message.appended', (event) => event.message.externalId === marker.data.externalId);

    const stored = await messages().findOne({ _id: appended.message.messageId });
    expect(stored?.content).toEqual({});
    expect(stored?.attachments).toBeUndefined();
    expect(stored?.revision).toBe('deleted');
    expect(stored?.revisions).toEqual([
      expect.objectContaining({ kind: 'deleted', previousContent: { text: 'meu cpf é 123.456.789-00' } }),
    ]);
    expect(await messages().countDocuments()).toBe(2);
    expect(router.events.filter((event) => event.data.kind === 'message.revised')).toHaveLength(1);
  });

  it('should keep an edit of a message Ponte never received as a message of its own', async () => {
    await router.inbound({
      channel: 'telegram',
      externalId: '9000:edit:1',
      from: { address: '777000' },
      content: { text: 'texto editado' },
      revision: { kind: 'edited', of: '9000' },
    });

    await router.waitForMessages(1);
    expect(await messages().findOne()).toMatchObject({
      externalId: '9000:edit:1',
      content: { text: 'texto editado' },
    });
  });

  it('should not reopen a resolved conversation for an out-of-office reply, and answer a mail at its Reply-To', async () => {
    await router.inbound({
      channel: 'email',
      from: { address: 'carla@example.com' },
      replyTo: [{ address: 'suporte-interno@carla-empresa.example', displayName: 'Carla (equipe)' }],
      content: { subject: 'Nota fiscal', text: 'preciso da nota' },
      threading: { messageId: 'nota@example.com' },
    });
    const { conversationId, agent } = await router.assignedConversation();
    await router.command('reply', {
      conversationId,
      agent,
      content: { text: 'Segue a nota.' },
    });
    await waitFor(() => router.outbound.length === 1, { description: 'the reply on the outbound topic' });
    expect(router.outbound[0]?.to).toEqual({
      address: 'suporte-interno@carla-empresa.example',
      displayName: 'Carla (equipe)',
    });
    await router.command('resolve', { conversationId, agent });
    await router.event('resolved', (event) => event.conversationId === conversationId);

    await router.inbound({
      channel: 'email',
      from: { address: 'carla@example.com' },
      automated: 'auto-reply',
      content: { subject: 'Ausente: Re: Nota fiscal', text: 'Estou de férias até segunda.' },
    });
    await router.waitForMessages(3);

    expect(await messages().findOne({ automated: 'auto-reply' })).toMatchObject({
      conversationId,
    });
    expect(await router.collection('conversations').findOne({ _id: conversationId as never })).toMatchObject({
      status: 'resolved',
    });
    expect(await router.collection('conversations').countDocuments()).toBe(1);
    const automated = await router.event(
      'message.appended',
      (event) => event.message.automated === 'auto-reply',
    );
    expect(automated.conversationId).toBe(conversationId);
  });

  it('should send an approved template on WhatsApp and refuse what a channel cannot carry (a template on SMS, 1,601 characters), changing nothing', async () => {
    await router.inbound({
      channel: 'whatsapp',
      from: { address: '5511955550003' },
      content: { text: 'oi' },
    });
    await router.inbound({
      channel: 'sms',
      from: { address: '+5511955550003' },
      content: { text: 'oi de novo' },
    });
    // The conversation is created (and assigned) by the WhatsApp message; the SMS one, which gives the customer the
    // SMS identity the replies below pick, may still be in the router: wait until both are stored.
    await router.waitForMessages(2);
    const { conversationId, agent } = await router.assignedConversation();
    const template = { name: 'pedido_atualizado', languageCode: 'pt_BR', bodyParameters: ['1234'] };

    await router.command('reply', {
      conversationId,
      agent,
      channel: 'sms',
      content: { text: 'Seu pedido 1234 foi atualizado.' },
      template,
    });
    await router.command('reply', {
      conversationId,
      agent,
      channel: 'sms',
      content: { text: 'x'.repeat(1_601) },
    });
    const [rejected, tooLong] = await router.deadLetters(2, Topics.agentCommand);
    await router.command('reply', {
      conversationId,
      agent,
      channel: 'whatsapp',
      content: { text: 'Seu pedido 1234 foi atualizado.' },
      template,
    });
    await waitFor(() => router.outbound.length === 1, { description: 'the template on the outbound topic' });

    expect(rejected?.error?.split(': ')[1]).toBe('CHANNEL_CANNOT_SEND');
    expect(rejected?.error).toContain('TEMPLATE_NOT_SUPPORTED');
    expect(tooLong?.error).toContain('sms carries at most 1600 characters per message; this reply has 1601');
    expect(router.outbound[0]).toMatchObject({ channel: 'whatsapp', template });
    expect(await messages().countDocuments({ direction: 'outgoing' })).toBe(1);
  });

  it('should refuse before sending a 5,000-character Instagram reply and a Telegram message to a customer who never wrote there, with the reason', async () => {
    await router.inbound({
      channel: 'instagram',
      from: { address: '17841400000000001' },
      content: { text: 'oi' },
    });
    const { conversationId, agent } = await router.assignedConversation();

    await router.command('reply', { conversationId, agent, content: { text: 'x'.repeat(5_000) } });
    await router.command('reply', { conversationId, agent, channel: 'telegram', content: { text: 'Olá!' } });
    const [tooLong, neverWrote] = await router.deadLetters(2, Topics.agentCommand);

    expect(tooLong?.error).toContain(
      'instagram carries at most 1000 characters per message; this reply has 5000',
    );
    expect(tooLong?.error).toContain('TEXT_TOO_LONG');
    expect(neverWrote?.error).toContain('NO_IDENTITY_FOR_CHANNEL');
    expect(neverWrote?.error).toContain('has no telegram address');
    expect(router.outbound).toEqual([]);
    expect(await messages().countDocuments({ direction: 'outgoing' })).toBe(0);
  });

  describe('a phone the provider vouches for (a Telegram user sharing their own contact)', () => {
    it("should merge the sender into the customer who has that phone's history, announced without an agent", async () => {
      await router.inbound({
        channel: 'whatsapp',
        from: { address: '551187654321@c.us' },
        content: { text: 'oi' },
      });
      const whatsapp = await router.event('created');
      await router.inbound({
        channel: 'telegram',
        from: { address: '777111' },
        content: { text: '[contact] João 5511987654321' },
        vouchedIdentities: [{ channel: 'sms', address: '+5511987654321' }],
      });
      const merged = await router.event('customer.merged');

      expect(merged).toMatchObject({ targetCustomerId: whatsapp.customerId });
      expect(merged.by).toBeUndefined();
      expect(merged.sourceCustomerId).not.toBe(whatsapp.customerId);
    });

    it("should give a phone nobody used yet to the sender, so its later SMS joins the sender's conversation", async () => {
      await router.inbound({
        channel: 'telegram',
        from: { address: '777222' },
        content: { text: '[contact] Ana +5511966660099' },
        vouchedIdentities: [{ channel: 'sms', address: '+5511966660099' }],
      });
      const created = await router.event('created');
      await router.event('customer.merged', (event) => event.targetCustomerId === created.customerId);
      await router.inbound({
        channel: 'sms',
        from: { address: '+5511966660099' },
        content: { text: 'sou eu no SMS' },
      });
      await router.waitForMessages(2);

      expect(await messages().findOne({ 'content.text': 'sou eu no SMS' })).toMatchObject({
        conversationId: created.conversationId,
      });
      expect(await router.collection('conversations').countDocuments()).toBe(1);
    });
  });
});
