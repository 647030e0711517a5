import { buildConversationEvent, type ConversationEvent } from '@ponte/contracts';
import { waitFor } from '@ponte/testing';
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { RouterCollections } from '../conversations/router-read.model';
import type { ProblemDetails } from '../http/problem.error';
import { GatewayHarness, strongPassword, TENANT } from '../testing/gateway.harness';
import { insertRouterDocuments, RouterDouble, routerDocuments as doc } from '../testing/router-double';
import {
  type Ack,
  type ConversationEventView,
  LIVE_UPDATES_PATH,
  type TypingView,
  type ViewersView,
} from './live-updates.dto';
import { LiveUpdatesServer } from './live-updates.server';

const OTHER_TENANT = 'other-tenant';

/** A connected socket.io client and everything the server sent it. */
interface Client {
  socket: Socket;
  events: ConversationEventView[];
  viewers: ViewersView[];
  typing: TypingView[];
  unsubscribed: { conversationId: string; reason: string }[];
  ended: ProblemDetails[];
  send<T = Record<string, never>>(event: string, payload: unknown): Promise<Ack<T>>;
}

type ConnectOptions =
  { auth: Record<string, unknown> } | { headers: Record<string, string> } | { query: Record<string, string> };

const clients: Socket[] = [];

function open(harness: GatewayHarness, options: ConnectOptions): Socket {
  const socket = io(harness.url, {
    path: LIVE_UPDATES_PATH,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...('auth' in options ? { auth: options.auth } : {}),
    ...('headers' in options ? { extraHeaders: options.headers } : {}),
    ...('query' in options ? { query: options.query } : {}),
  });
  clients.push(socket);
  return socket;
}

async function connect(harness: GatewayHarness, token: string): Promise<Client> {
  const socket = open(harness, { auth: { token } });
  const client: Client = {
    socket,
    events: [],
    viewers: [],
    typing: [],
    unsubscribed: [],
    ended: [],
    send: (event, payload) => socket.timeout(10_000).emitWithAck(event, payload),
  };
  socket.on('conversation.event', (view: ConversationEventView) => client.events.push(view));
  socket.on('viewers', (view: ViewersView) => client.viewers.push(view));
  socket.on('typing', (view: TypingView) => client.typing.push(view));
  socket.on('unsubscribed', (view: { conversationId: string; reason: string }) =>
    client.unsubscribed.push(view),
  );
  socket.on('session.ended', (problem: ProblemDetails) => client.ended.push(problem));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return client;
}

/** The `connect_error` of a handshake the server refuses. */
function refusal(socket: Socket): Promise<Error & { data?: ProblemDetails }> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('the handshake was accepted')));
    socket.once('connect_error', resolve);
  });
}

function received(client: Client, eventId: string): ConversationEventView | undefined {
  return client.events.find((event) => event.id === eventId);
}

/*
 * The live updates against the real Kafka and FerretDB, two gateway instances on the same topics and database, the
 * router's documents inserted directly and its events published by the router double: queues q1 and q2, ana and bia
 * in q1, a supervisor (sam), conversations in q1 and q2, and a conversation of another tenant.
 */
describe(LiveUpdatesServer.name, () => {
  let sut: GatewayHarness;
  let second: GatewayHarness;
  let router: RouterDouble;
  let adminToken: string;
  let ana: string;
  let bia: string;
  let sam: string;

  const inQ1 = doc.conversation(TENANT, 'live-q1', { queueId: 'q1' });
  const inQ2 = doc.conversation(TENANT, 'live-q2', { queueId: 'q2' });
  const warmUp = doc.conversation(TENANT, 'live-warm-up', { queueId: 'q1' });
  const foreign = doc.conversation(OTHER_TENANT, 'live-foreign', { queueId: 'q1' });

  function appended(conversationId: string, text: string = randomUUID()): ConversationEvent {
    return buildConversationEvent('message.appended', {
      conversationId,
      customerId: 'customer-1',
      message: {
        messageId: `m-${randomUUID()}`,
        direction: 'incoming',
        channel: 'sms',
        content: { text },
        createdAt: new Date().toISOString(),
      },
    });
  }

  async function token(role: string, agentId: string): Promise<string> {
    const { account, password } = await sut.createAgent(adminToken, { role, agentId });
    return (await sut.login(account.email, password)).accessToken;
  }

  /** Each instance starts consuming at the latest offset once its group has joined: publish until it delivers. */
  async function untilConsuming(client: Client): Promise<void> {
    const ids: string[] = [];
    await waitFor(
      async () => {
        if (ids.some((id) => received(client, id))) return true;
        ids.push(await router.publishEvent(TENANT, appended(warmUp._id, 'warm-up')));
        return false;
      },
      { timeoutMs: 30_000, intervalMs: 500, description: 'a first event through the live updates' },
    );
  }

  beforeAll(async () => {
    sut = await GatewayHarness.start({
      env: { GATEWAY_WS_REAUTH_INTERVAL_MS: '200', GATEWAY_ACCOUNT_CACHE_MS: '0' },
    });
    second = await GatewayHarness.start({ reuse: sut.env, env: { GATEWAY_WS_RATE_LIMIT_PER_MINUTE: '5' } });
    router = await RouterDouble.start(sut.env);
    await insertRouterDocuments(sut.db, RouterCollections.queues, [
      doc.queue(TENANT, 'q1'),
      doc.queue(TENANT, 'q2'),
    ]);
    await insertRouterDocuments(sut.db, RouterCollections.agents, [
      doc.agent(TENANT, 'ana', { queueIds: ['q1'] }),
      doc.agent(TENANT, 'bia', { queueIds: ['q1'] }),
    ]);
    await insertRouterDocuments(sut.db, RouterCollections.conversations, [inQ1, inQ2, warmUp, foreign]);
    adminToken = (await sut.loginAsAdmin()).accessToken;
    ana = await token('solver', 'ana');
    bia = await token('solver', 'bia');
    sam = await token('supervisor', 'sam');
    const [first, other] = await Promise.all([connect(sut, sam), connect(second, sam)]);
    await Promise.all([untilConsuming(first), untilConsuming(other)]);
    first.socket.disconnect();
    other.socket.disconnect();
  });

  afterEach(() => {
    for (const socket of clients.splice(0)) socket.disconnect();
  });

  afterAll(async () => {
    await router?.stop();
    await second?.stop();
    await sut?.stop();
  });

  describe('events', () => {
    it("should send an agent the events of its queues' conversations and not the others' when both are published", async () => {
      const [agent, supervisor] = await Promise.all([connect(sut, ana), connect(sut, sam)]);

      const outOfReach = await router.publishEvent(TENANT, appended(inQ2._id));
      const inReach = await router.publishEvent(TENANT, appended(inQ1._id));

      const event = await waitFor(() => received(agent, inReach), { description: 'the q1 event at ana' });
      // One partition, consumed in order: the q2 event was handled before the q1 event arrived.
      expect(received(agent, outOfReach)).toBeUndefined();
      expect(event).toMatchObject({
        type: 'ponte.conversation.event.message.appended.v1',
        data: { conversationId: inQ1._id },
      });
      await waitFor(() => received(supervisor, inReach) && received(supervisor, outOfReach), {
        description: 'both events at the supervisor',
      });
    });

    it("should send another tenant's event to no one when it is published", async () => {
      const [agent, supervisor] = await Promise.all([connect(sut, ana), connect(sut, sam)]);

      const foreignEvent = await router.publishEvent(OTHER_TENANT, appended(foreign._id));
      // The same conversation id claimed by another tenant's envelope is not ours either.
      const spoofed = await router.publishEvent(OTHER_TENANT, appended(inQ1._id));
      const sentinel = await router.publishEvent(TENANT, appended(inQ1._id));

      await waitFor(() => received(agent, sentinel) && received(supervisor, sentinel), {
        description: 'the sentinel at both',
      });
      for (const client of [agent, supervisor]) {
        expect(received(client, foreignEvent)).toBeUndefined();
        expect(received(client, spoofed)).toBeUndefined();
      }
    });

    it('should send an agent the events of a conversation of another queue when it is assigned to them', async () => {
      const elsewhere = doc.conversation(TENANT, `live-assigned-${randomUUID()}`, { queueId: 'q2' });
      await insertRouterDocuments(sut.db, RouterCollections.conversations, [elsewhere]);
      const agent = await connect(sut, ana);
      const before = await router.publishEvent(TENANT, appended(elsewhere._id));

      // The double does not update the store: the assignment event alone moves the conversation into ana's reach.
      const assigned = await router.publishEvent(
        TENANT,
        buildConversationEvent('assigned', { conversationId: elsewhere._id, agentId: 'ana' }),
      );
      const after = await router.publishEvent(TENANT, appended(elsewhere._id));

      await waitFor(() => received(agent, after), { description: 'the message after the assignment at ana' });
      expect(received(agent, assigned)).toBeDefined();
      expect(received(agent, before)).toBeUndefined();
    });

    it('should deliver on every instance when agents are connected to two of them', async () => {
      const [onFirst, onSecond] = await Promise.all([connect(sut, sam), connect(second, sam)]);

      const id = await router.publishEvent(TENANT, appended(inQ2._id));

      await waitFor(() => received(onFirst, id) && received(onSecond, id), {
        description: 'the event on both',
      });
    });

    it('should send a transfer out of the queue and then nothing more when the conversation left the queue', async () => {
      const moving = doc.conversation(TENANT, `live-moving-${randomUUID()}`, { queueId: 'q1' });
      await insertRouterDocuments(sut.db, RouterCollections.conversations, [moving]);
      const agent = await connect(sut, ana);
      await expect(agent.send('subscribe', { conversationId: moving._id })).resolves.toMatchObject({
        ok: true,
      });

      const transfer = await router.publishEvent(
        TENANT,
        buildConversationEvent('transferred', {
          conversationId: moving._id,
          fromQueueId: 'q1',
          toQueueId: 'q2',
          by: { id: 'sam', role: 'supervisor' },
        }),
      );
      const after = await router.publishEvent(TENANT, appended(moving._id));
      const sentinel = await router.publishEvent(TENANT, appended(inQ1._id));

      await waitFor(() => received(agent, sentinel), { description: 'the sentinel at ana' });
      expect(received(agent, transfer)).toBeDefined();
      expect(received(agent, after)).toBeUndefined();
      expect(agent.unsubscribed).toEqual([{ conversationId: moving._id, reason: 'forbidden' }]);
    });
  });

  describe('handshake', () => {
    it('should refuse the connection when the token is invalid', async () => {
      const error = await refusal(open(sut, { auth: { token: `${ana.slice(0, -4)}AAAA` } }));

      expect(error.message).toBe('The access token is invalid.');
      expect(error.data).toMatchObject({ status: 401, code: 'unauthenticated' });
    });

    it('should refuse the connection when the token comes in the query string', async () => {
      const error = await refusal(open(sut, { query: { token: ana } }));

      expect(error.data).toMatchObject({ status: 401, code: 'unauthenticated' });
    });

    it('should accept the token in the Authorization header', async () => {
      const socket = open(sut, { headers: { authorization: `Bearer ${ana}` } });

      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
    });

    it('should end the session when its password is changed after connecting', async () => {
      const { account, password } = await sut.createAgent(adminToken, { agentId: `revoked-${randomUUID()}` });
      const client = await connect(sut, (await sut.login(account.email, password)).accessToken);

      const reset = await sut.request('POST', `/api/v1/admin/accounts/${account.id}/password`, {
        token: adminToken,
        body: { password: strongPassword() },
      });

      expect(reset.status).toBe(204);
      await waitFor(() => !client.socket.connected, { description: 'the revoked socket disconnected' });
      expect(client.ended).toEqual([
        expect.objectContaining({ code: 'unauthenticated', detail: 'The access token has been revoked.' }),
      ]);
    });
  });

  describe('client messages', () => {
    it('should answer forbidden and subscribe nothing when the conversation is outside the queues', async () => {
      const [agent, supervisor] = await Promise.all([connect(sut, ana), connect(sut, sam)]);
      await supervisor.send('subscribe', { conversationId: inQ2._id });

      const ack = await agent.send('subscribe', { conversationId: inQ2._id });

      expect(ack).toEqual({ ok: false, error: expect.objectContaining({ status: 403, code: 'forbidden' }) });
      await expect(agent.send('typing', { conversationId: inQ2._id, typing: true })).resolves.toMatchObject({
        ok: false,
        error: { code: 'not-viewing' },
      });
      expect(supervisor.viewers).toEqual([]);
    });

    it("should answer not found when the conversation is another tenant's", async () => {
      const agent = await connect(sut, sam);

      const ack = await agent.send('subscribe', { conversationId: foreign._id });

      expect(ack).toEqual({ ok: false, error: expect.objectContaining({ status: 404 }) });
    });

    it('should answer validation-failed naming the field when a message has an unknown field', async () => {
      const agent = await connect(sut, ana);

      const ack = await agent.send('subscribe', { conversationId: inQ1._id, assigneeId: 'ana' });

      expect(ack).toEqual({
        ok: false,
        error: expect.objectContaining({
          code: 'validation-failed',
          errors: [expect.objectContaining({ field: 'assigneeId' })],
        }),
      });
    });

    it('should relay typing to the other viewer and not to the sender when both view the conversation', async () => {
      const [first, other] = await Promise.all([connect(sut, ana), connect(sut, bia)]);
      await expect(first.send('subscribe', { conversationId: inQ1._id })).resolves.toEqual({
        ok: true,
        viewers: [{ agentId: 'ana', role: 'solver' }],
      });
      const joined = await other.send<{ viewers: unknown[] }>('subscribe', { conversationId: inQ1._id });

      const ack = await other.send('typing', { conversationId: inQ1._id, typing: true });

      expect(joined).toMatchObject({
        ok: true,
        viewers: expect.arrayContaining([{ agentId: 'bia', role: 'solver' }]),
      });
      expect(ack).toEqual({ ok: true });
      await waitFor(() => first.typing.length > 0, { description: 'the typing at ana' });
      expect(first.typing).toEqual([
        { conversationId: inQ1._id, agent: { agentId: 'bia', role: 'solver' }, typing: true },
      ]);
      // The server emits to the others before it acknowledges, on the same connection: nothing came to the sender.
      expect(other.typing).toEqual([]);
      expect(first.viewers).toEqual([
        expect.objectContaining({ change: 'joined', agent: { agentId: 'bia', role: 'solver' } }),
      ]);

      other.socket.disconnect();
      await waitFor(() => first.viewers.some((view) => view.change === 'left'), {
        description: 'bia leaving',
      });
      expect(first.viewers.at(-1)).toMatchObject({
        change: 'left',
        viewers: [{ agentId: 'ana', role: 'solver' }],
      });
    });

    it('should show viewers and typing across gateway instances, and the customer typing from another instance', async () => {
      const [onFirst, onSecond] = await Promise.all([connect(sut, ana), connect(second, bia)]);
      await onFirst.send('subscribe', { conversationId: inQ1._id });
      await onSecond.send('subscribe', { conversationId: inQ1._id });

      // Each instance relays from the latest offset once its consumer has joined: type until the other one hears it.
      await waitFor(
        async () => {
          await Promise.all([
            onSecond.send('typing', { conversationId: inQ1._id, typing: true }),
            onFirst.send('typing', { conversationId: inQ1._id, typing: true }),
          ]);
          return (onFirst.typing.length > 0 && onSecond.typing.length > 0) || undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500, description: 'typing relayed both ways between the instances' },
      );
      expect(onFirst.typing[0]).toEqual({
        conversationId: inQ1._id,
        agent: { agentId: 'bia', role: 'solver' },
        typing: true,
      });
      expect(onSecond.typing[0]).toMatchObject({ agent: { agentId: 'ana', role: 'solver' } });
      expect(onFirst.viewers).toContainEqual(
        expect.objectContaining({
          change: 'joined',
          agent: { agentId: 'bia', role: 'solver' },
          viewers: expect.arrayContaining([
            { agentId: 'ana', role: 'solver' },
            { agentId: 'bia', role: 'solver' },
          ]),
        }),
      );

      const customerTyping: unknown[] = [];
      onFirst.socket.on('customer.typing', (view: unknown) => customerTyping.push(view));
      second.app.get(LiveUpdatesServer).customerTyping(TENANT, inQ1._id, true);
      await waitFor(() => customerTyping.length > 0 || undefined, {
        description: 'the customer typing at ana',
      });
      expect(customerTyping).toEqual([{ conversationId: inQ1._id, typing: true }]);

      onSecond.socket.disconnect();
      await waitFor(
        () =>
          onFirst.viewers.some((view) => view.change === 'left' && view.agent.agentId === 'bia') || undefined,
        { description: 'bia leaving, told across instances' },
      );
      expect(onFirst.viewers.at(-1)).toMatchObject({ viewers: [{ agentId: 'ana', role: 'solver' }] });
    });

    it('should answer too-many-requests when a socket sends more messages than its limit', async () => {
      const agent = await connect(second, ana);

      const acks = [];
      for (let sent = 0; sent < 6; sent++)
        acks.push(await agent.send('unsubscribe', { conversationId: inQ1._id }));

      expect(acks.slice(0, 5)).toEqual(Array(5).fill({ ok: true }));
      expect(acks[5]).toEqual({
        ok: false,
        error: expect.objectContaining({ status: 429, code: 'too-many-requests' }),
      });
    });
  });
});
