import { buildInboundMessage, createEnvelope, type EnvelopeOf, messageKey, Topics } from '@ponte/contracts';
import { ConsumerRunner, MessageBus } from '@ponte/messaging';
import { testMongoUrl, uniqueName } from '@ponte/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { GATEWAY_ADMIN, GatewayE2e } from './support/gateway.e2e';
import { AGENT, RouterE2e } from './support/router.e2e';
import { ServiceGroup, TENANT } from './support/service-group';

const API = '/api/v1';
/** Our Twilio long code: where the customer's SMS arrives and the reply goes out from. */
const OUR_NUMBER = '+5511999990000';

interface ConversationSummary {
  id: string;
  customerId: string;
  queueId: string;
}

interface TimelineEntry {
  messageId: string;
  direction: string;
  channel?: string;
  content: { text?: string };
  deliveryState?: string;
}

/*
 * Issue 4 with the real router: an inbound SMS (as the sms service publishes it) → the router's conversation → an agent
 * of the seed, given a login through the gateway's admin route, sees it over REST, replies, and gets the router's
 * `message.appended` event in the 200; the router sends the reply on `ponte.outbound.sms.v1`; the timeline over REST
 * shows both messages.
 */
describe('gateway → router (gateway and router services as processes)', () => {
  const group = new ServiceGroup('gateway', { partitions: 1 });
  const outbound: EnvelopeOf<typeof Topics.outbound.sms>[] = [];
  let router: RouterE2e | undefined;
  let gateway: GatewayE2e;
  let bus: MessageBus | undefined;
  let recorder: ConsumerRunner<typeof Topics.outbound.sms> | undefined;

  beforeAll(async () => {
    router = await RouterE2e.start(group, { sms: OUR_NUMBER });
    gateway = await GatewayE2e.start(group, testMongoUrl(router.db.databaseName));
    bus = new MessageBus(group.messaging);
    recorder = new ConsumerRunner(group.messaging, {
      groupId: uniqueName('e2e-outbound-sms'),
      topics: [Topics.outbound.sms],
      fromBeginning: true,
      handleMessage: async ({ envelope }) => void outbound.push(envelope),
    });
    await recorder.start();
  }, 120_000);

  afterAll(async () => {
    await recorder?.stop();
    await bus?.disconnect();
    await group.stop();
    await router?.stop();
  });

  it('should let a seed agent see an inbound SMS over REST, reply with a 200 carrying the event, and show both', async () => {
    const customerNumber = `+55119${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const inbound = buildInboundMessage({
      channel: 'sms',
      channelAccountId: OUR_NUMBER,
      externalId: `SM${randomUUID().replace(/-/g, '')}`,
      from: { address: customerNumber },
      to: [{ address: OUR_NUMBER }],
      receivedAt: new Date().toISOString(),
      content: { text: 'Minha fatura veio em dobro' },
    });
    await bus!.publish(
      Topics.inboundMessage,
      createEnvelope(Topics.inboundMessage, inbound, { source: '/ponte/sms', tenantId: TENANT }),
      { key: messageKey(Topics.inboundMessage, inbound) },
    );

    const admin = await gateway.login(GATEWAY_ADMIN.email, GATEWAY_ADMIN.password);
    const password = `pw-${randomBytes(12).toString('base64url')}`;
    const account = await gateway.request('POST', `${API}/admin/accounts`, {
      token: admin,
      body: { email: 'ana@ponte.example', displayName: 'Ana', role: 'solver', agentId: AGENT.id, password },
    });
    expect(account.status).toBe(201);
    const ana = await gateway.login('ana@ponte.example', password);

    const conversation = await group.waitFor(
      async () => {
        const list = await gateway.request<{ conversations: ConversationSummary[] }>(
          'GET',
          `${API}/conversations`,
          {
            token: ana,
          },
        );
        for (const candidate of list.body.conversations ?? []) {
          const detail = await gateway.request<{ timeline: { messages: TimelineEntry[] } }>(
            'GET',
            `${API}/conversations/${candidate.id}`,
            { token: ana },
          );
          if (
            detail.body.timeline.messages.some(
              (message) => message.content.text === 'Minha fatura veio em dobro',
            )
          ) {
            return candidate;
          }
        }
        return undefined;
      },
      { description: 'the conversation of the inbound SMS in the agent list over REST' },
    );
    expect(conversation.queueId).toBe('n1-solvers');

    const reply = await gateway.request<{
      status: string;
      commandId: string;
      events: { type: string; data: { kind: string; message?: TimelineEntry } }[];
    }>('POST', `${API}/conversations/${conversation.id}/reply`, {
      token: ana,
      body: { text: 'Vamos estornar a cobrança duplicada.' },
    });

    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('applied');
    const appended = reply.body.events.find((event) => event.data.kind === 'message.appended');
    expect(appended?.type).toBe('ponte.conversation.event.message.appended.v1');
    expect(appended?.data.message).toMatchObject({
      direction: 'outgoing',
      channel: 'sms',
      deliveryState: 'queued',
      content: { text: 'Vamos estornar a cobrança duplicada.' },
    });

    const sent = await group.waitFor(
      () => outbound.find((envelope) => envelope.data.messageId === appended?.data.message?.messageId),
      { description: 'the reply on ponte.outbound.sms.v1' },
    );
    expect(sent.data).toMatchObject({
      conversationId: conversation.id,
      channel: 'sms',
      channelAccountId: OUR_NUMBER,
      to: { address: customerNumber },
      content: { text: 'Vamos estornar a cobrança duplicada.' },
    });

    const timeline = await gateway.request<{ timeline: { messages: TimelineEntry[] } }>(
      'GET',
      `${API}/conversations/${conversation.id}`,
      { token: ana },
    );
    expect(
      timeline.body.timeline.messages.map((message) => [
        message.direction,
        message.channel,
        message.content.text,
      ]),
    ).toEqual([
      ['incoming', 'sms', 'Minha fatura veio em dobro'],
      ['outgoing', 'sms', 'Vamos estornar a cobrança duplicada.'],
    ]);
  });
});
