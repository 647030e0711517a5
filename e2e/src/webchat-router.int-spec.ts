import { buildInboundMessage, createEnvelope, type EnvelopeOf, messageKey, Topics } from '@ponte/contracts';
import { ConsumerRunner, MessageBus } from '@ponte/messaging';
import { testMongoUrl, uniqueName } from '@ponte/testing';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { GATEWAY_ADMIN, GatewayE2e } from './support/gateway.e2e';
import { AGENT, RouterE2e } from './support/router.e2e';
import { ServiceGroup, TENANT } from './support/service-group';

const API = '/api/v1';
const OUR_NUMBER = '+5511999990000';
const INBOX = 'website';
const IDENTITY_SECRET = randomBytes(32).toString('hex');

interface TimelineEntry {
  messageId: string;
  direction: string;
  channel?: string;
  content: { text?: string };
  deliveryState?: string;
}

interface ConversationDetail {
  conversation: { id: string; customerId: string; channel: string };
  timeline: { messages: TimelineEntry[] };
}

interface CustomerDetail {
  customer: { id: string };
  identities: { channel: string; address: string }[];
}

interface ConversationEventView {
  data: {
    kind: string;
    conversationId: string;
    customerId: string;
    channel?: string;
    message?: TimelineEntry;
  };
}

interface VisitorMessage {
  messageId: string;
  direction: string;
  text: string;
  author?: { displayName: string };
}

/** What the website's server computes for its logged-in user (docs/webchat.md). */
function identityHash(value: string): string {
  return createHmac('sha256', IDENTITY_SECRET).update(value).digest('hex');
}

/*
 * Issue 4's web chat with the real router and gateway as processes: a visitor's message reaches the agent's socket live,
 * the agent's reply reaches the visitor's socket and its receipts the timeline; a verified phone lets the agent switch
 * the same conversation to SMS; an unverified e-mail never links the visitor to the customer who owns it.
 */
describe('web chat → router → agent and back (gateway and router services as processes)', () => {
  const group = new ServiceGroup('webchat', { partitions: 1 });
  const outboundSms: EnvelopeOf<typeof Topics.outbound.sms>[] = [];
  const sockets: Socket[] = [];
  let router: RouterE2e | undefined;
  let gateway: GatewayE2e;
  let bus: MessageBus | undefined;
  let recorder: ConsumerRunner<typeof Topics.outbound.sms> | undefined;
  let ana: string;

  beforeAll(async () => {
    router = await RouterE2e.start(group, { sms: OUR_NUMBER });
    gateway = await GatewayE2e.start(group, testMongoUrl(router.db.databaseName), {
      GATEWAY_WEBCHAT_INBOXES: JSON.stringify([{ id: INBOX, identitySecret: IDENTITY_SECRET }]),
    });
    bus = new MessageBus(group.messaging);
    recorder = new ConsumerRunner(group.messaging, {
      groupId: uniqueName('e2e-outbound-sms'),
      topics: [Topics.outbound.sms],
      fromBeginning: true,
      handleMessage: async ({ envelope }) => void outboundSms.push(envelope),
    });
    await recorder.start();
    const admin = await gateway.login(GATEWAY_ADMIN.email, GATEWAY_ADMIN.password);
    const password = `pw-${randomBytes(12).toString('base64url')}`;
    const account = await gateway.request('POST', `${API}/admin/accounts`, {
      token: admin,
      body: { email: 'ana@ponte.example', displayName: 'Ana', role: 'solver', agentId: AGENT.id, password },
    });
    expect(account.status).toBe(201);
    ana = await gateway.login('ana@ponte.example', password);
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await recorder?.stop();
    await bus?.disconnect();
    await group.stop();
    await router?.stop();
  });

  function connect(path: string, token: string): Promise<Socket> {
    const socket = io(gateway.url, { path, transports: ['websocket'], auth: { token }, forceNew: true });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  async function openSession(
    body: Record<string, string> = {},
  ): Promise<{ token: string; visitorId: string }> {
    const session = await gateway.request<{ token: string; visitorId: string; verified: unknown[] }>(
      'POST',
      `${API}/webchat/sessions`,
      { body: { inboxId: INBOX, ...body } },
    );
    expect(session.status).toBe(201);
    return session.body;
  }

  function conversationOfVisitor(visitorId: string): Promise<ConversationDetail> {
    return group.waitFor(
      async () => {
        const [message] = await router!.messages({ channel: 'webchat', 'from.address': visitorId } as never);
        if (!message) return undefined;
        const detail = await gateway.request<ConversationDetail>(
          'GET',
          `${API}/conversations/${message.conversationId}`,
          { token: ana },
        );
        return detail.status === 200 ? detail.body : undefined;
      },
      { description: `the conversation of visitor ${visitorId}` },
    );
  }

  async function customer(customerId: string): Promise<CustomerDetail> {
    const response = await gateway.request<CustomerDetail>('GET', `${API}/customers/${customerId}`, {
      token: ana,
    });
    expect(response.status).toBe(200);
    return response.body;
  }

  it('should bring a visitor message live to the agent, the reply to the visitor, and the receipts to the timeline; then continue on SMS', async () => {
    const agentEvents: ConversationEventView[] = [];
    const agentSocket = await connect(`${API}/live`, ana);
    agentSocket.on('conversation.event', (view: ConversationEventView) => agentEvents.push(view));
    const phone = `+55119${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const visitor = await openSession({ name: 'Bia', phone, phoneHash: identityHash(phone) });
    const visitorSocket = await connect(`${API}/webchat/live`, visitor.token);
    const received: VisitorMessage[] = [];
    visitorSocket.on('message', (message: VisitorMessage, ack: () => void) => {
      received.push(message);
      ack();
    });

    const sent = (await visitorSocket
      .timeout(15_000)
      .emitWithAck('message', { clientMessageId: randomUUID(), text: 'Meu pedido não chegou' })) as {
      ok: boolean;
      messageId: string;
    };
    expect(sent).toEqual({ ok: true, messageId: expect.stringContaining(visitor.visitorId) });

    const appended = await group.waitFor(
      () =>
        agentEvents.find(
          (event) =>
            event.data.kind === 'message.appended' &&
            event.data.message?.content.text === 'Meu pedido não chegou',
        ),
      { description: "the visitor's message on the agent's socket" },
    );
    expect(appended.data.message).toMatchObject({ direction: 'incoming', channel: 'webchat' });
    const conversationId = appended.data.conversationId;

    // Typing both ways: the agent viewing the conversation and the visitor.
    const visitorTyping: unknown[] = [];
    const customerTyping: unknown[] = [];
    visitorSocket.on('typing', (view: unknown) => visitorTyping.push(view));
    const seen: { upTo: string }[] = [];
    visitorSocket.on('seen', (view: { upTo: string }) => seen.push(view));
    agentSocket.on('customer.typing', (view: unknown) => customerTyping.push(view));
    await agentSocket.timeout(15_000).emitWithAck('subscribe', { conversationId });
    await agentSocket.timeout(15_000).emitWithAck('typing', { conversationId, typing: true });
    await visitorSocket.timeout(15_000).emitWithAck('typing', { typing: true });
    await group.waitFor(() => (visitorTyping.length > 0 && customerTyping.length > 0) || undefined, {
      description: 'typing relayed to the visitor and to the agent',
    });
    expect(visitorTyping).toEqual([{ typing: true }]);
    expect(customerTyping).toEqual([{ conversationId, typing: true }]);

    // Seen: the agent opened the conversation after the first message, and has it open when the second arrives.
    await group.waitFor(() => seen.find((view) => view.upTo === sent.messageId), {
      description: 'the first message seen when the agent opened the conversation',
    });
    const second = (await visitorSocket
      .timeout(15_000)
      .emitWithAck('message', { clientMessageId: randomUUID(), text: 'Era um presente' })) as {
      messageId: string;
    };
    await group.waitFor(() => seen.find((view) => view.upTo === second.messageId), {
      description: 'the second message seen as it arrived',
    });

    const reply = await gateway.request<{ status: string }>(
      'POST',
      `${API}/conversations/${conversationId}/reply`,
      {
        token: ana,
        body: { text: 'Vou verificar com a transportadora.' },
      },
    );
    expect(reply.status).toBe(200);
    const pushed = await group.waitFor(
      () => received.find((message) => message.text.startsWith('Vou verificar')),
      {
        description: "the agent's reply on the visitor's socket",
      },
    );
    expect(pushed).toMatchObject({ direction: 'outgoing', author: { displayName: 'Ana' } });
    const read = (await visitorSocket
      .timeout(15_000)
      .emitWithAck('read', { messageId: pushed.messageId })) as {
      ok: boolean;
    };
    expect(read.ok).toBe(true);

    const detail = await group.waitFor(
      async () => {
        const response = await gateway.request<ConversationDetail>(
          'GET',
          `${API}/conversations/${conversationId}`,
          {
            token: ana,
          },
        );
        const outgoing = response.body.timeline.messages.find((message) => message.direction === 'outgoing');
        return outgoing?.deliveryState === 'read' ? response.body : undefined;
      },
      { description: 'the reply read in the timeline' },
    );
    expect(
      detail.timeline.messages.map((message) => [message.direction, message.channel, message.content.text]),
    ).toEqual([
      ['incoming', 'webchat', 'Meu pedido não chegou'],
      ['incoming', 'webchat', 'Era um presente'],
      ['outgoing', 'webchat', 'Vou verificar com a transportadora.'],
    ]);

    // The verified phone made the visitor's customer reachable by SMS: the agent continues the conversation there.
    await group.waitFor(
      async () =>
        (await customer(detail.conversation.customerId)).identities.some(
          (identity) => identity.channel === 'sms' && identity.address === phone,
        ) || undefined,
      { description: "the verified phone among the visitor's identities" },
    );
    const onSms = await gateway.request<{ status: string }>(
      'POST',
      `${API}/conversations/${conversationId}/reply`,
      {
        token: ana,
        body: { text: 'Seguimos por SMS: o código de rastreio é BR123.', channel: 'sms' },
      },
    );
    expect(onSms.status).toBe(200);
    const smsOut = await group.waitFor(
      () => outboundSms.find((envelope) => envelope.data.conversationId === conversationId),
      { description: 'the SMS reply on ponte.outbound.sms.v1' },
    );
    expect(smsOut.data).toMatchObject({
      channel: 'sms',
      to: { address: phone },
      channelAccountId: OUR_NUMBER,
    });
    const switched = await gateway.request<ConversationDetail>(
      'GET',
      `${API}/conversations/${conversationId}`,
      {
        token: ana,
      },
    );
    expect(switched.body.timeline.messages.map((message) => message.channel)).toEqual([
      'webchat',
      'webchat',
      'webchat',
      'sms',
    ]);
  });

  it('should never link a visitor to the customer of an e-mail they only claim, and link them when the website verified it', async () => {
    const email = `cliente-${randomBytes(4).toString('hex')}@example.com`;
    const inbound = buildInboundMessage({
      channel: 'email',
      channelAccountId: 'suporte@ponte.example',
      externalId: `<${randomUUID()}@example.com>`,
      from: { address: email },
      to: [{ address: 'suporte@ponte.example' }],
      receivedAt: new Date().toISOString(),
      content: { text: 'Preciso da segunda via', subject: 'Boleto' },
    });
    await bus!.publish(
      Topics.inboundMessage,
      createEnvelope(Topics.inboundMessage, inbound, { source: '/ponte/email', tenantId: TENANT }),
      { key: messageKey(Topics.inboundMessage, inbound) },
    );
    const emailCustomer = await group.waitFor(
      async () => (await router!.identities({ channel: 'email', address: email } as never))[0]?.customerId,
      { description: 'the customer of the e-mail' },
    );

    const claimer = await openSession({ email });
    const wrongHash = await gateway.request('POST', `${API}/webchat/sessions`, {
      body: { inboxId: INBOX, email, emailHash: identityHash(`${email}.`) },
    });
    expect(wrongHash.status).toBe(403);
    const claimerSocket = await connect(`${API}/webchat/live`, claimer.token);
    await claimerSocket
      .timeout(15_000)
      .emitWithAck('message', { clientMessageId: randomUUID(), text: 'Sou eu, me passa o boleto' });

    const verified = await openSession({ email, emailHash: identityHash(email) });
    const verifiedSocket = await connect(`${API}/webchat/live`, verified.token);
    await verifiedSocket
      .timeout(15_000)
      .emitWithAck('message', { clientMessageId: randomUUID(), text: 'Olá, sou cliente' });

    // The verified visitor joins the e-mail's customer (the positive control); only then is the claimer checked.
    await group.waitFor(
      async () =>
        (await customer(emailCustomer)).identities.some(
          (identity) => identity.address === verified.visitorId,
        ) || undefined,
      { description: 'the verified visitor linked to the customer of the e-mail' },
    );
    const claimerConversation = await conversationOfVisitor(claimer.visitorId);
    const claimerCustomer = await customer(claimerConversation.conversation.customerId);
    expect(claimerCustomer.identities.map((identity) => identity.channel)).toEqual(['webchat']);
    expect(claimerCustomer.customer.id).not.toBe((await customer(emailCustomer)).customer.id);
    expect((await customer(emailCustomer)).identities.map((identity) => identity.address)).not.toContain(
      claimer.visitorId,
    );
    // The claim is weak evidence: agents are offered the merge, and decide.
    const suggestion = await group.waitFor(
      async () => {
        const candidates = await gateway.request<
          { customerId: string; candidateCustomerId: string; reason: string }[]
        >('GET', `${API}/merge-candidates`, { token: ana });
        return candidates.body.find((candidate) => candidate.customerId === claimerCustomer.customer.id);
      },
      { description: "a merge suggestion for the claimer's customer" },
    );
    expect(suggestion).toMatchObject({
      candidateCustomerId: emailCustomer,
      reason: expect.stringMatching(/not verified/),
    });
  });
});
