import { createEnvelope, type EnvelopeOf, messageKey, type OutboundMessage, Topics } from '@ponte/contracts';
import { ConsumerRunner, MessageBus, type MessagingOptions } from '@ponte/messaging';
import { testKafkaBrokers, uniqueName, waitFor } from '@ponte/testing';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { GatewayHarness, TENANT } from '../testing/gateway.harness';
import { WEBCHAT_LIVE_PATH } from './webchat.dto';

const SECRET = randomBytes(32).toString('hex');
const SHOP = 'https://shop.example';
const INBOXES = JSON.stringify([
  { id: 'website', allowedOrigins: [SHOP], identitySecret: SECRET },
  { id: 'demo' },
]);

type InboundEnvelope = EnvelopeOf<typeof Topics.inboundMessage>;
type StatusEnvelope = EnvelopeOf<typeof Topics.deliveryStatus>;

interface Session {
  token: string;
  visitorId: string;
  verified: { channel: string; address: string }[];
}

function hash(value: string): string {
  return createHmac('sha256', SECRET).update(value).digest('hex');
}

/*
 * The web chat's visitor side against the real gateway, Kafka and FerretDB (no router: what the gateway publishes is
 * read from the topics, and agent messages are published on ponte.outbound.webchat.v1 as the router would).
 */
describe('web chat (visitor routes and socket)', () => {
  let harness: GatewayHarness;
  let messaging: MessagingOptions;
  let bus: MessageBus;
  let recorder: ConsumerRunner<typeof Topics.inboundMessage | typeof Topics.deliveryStatus>;
  const inbound: InboundEnvelope[] = [];
  const statuses: StatusEnvelope[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    harness = await GatewayHarness.start({
      env: { GATEWAY_WEBCHAT_INBOXES: INBOXES, GATEWAY_WEBCHAT_RATE_LIMIT_PER_MINUTE: '20' },
    });
    messaging = {
      clientId: 'webchat-spec',
      brokers: (harness.env['KAFKA_BROKERS'] ?? testKafkaBrokers()).split(','),
      topicPrefix: harness.env['KAFKA_TOPIC_PREFIX'] ?? '',
      logLevel: 'nothing',
    };
    bus = new MessageBus(messaging);
    recorder = new ConsumerRunner(messaging, {
      groupId: uniqueName('webchat-spec'),
      topics: [Topics.inboundMessage, Topics.deliveryStatus],
      fromBeginning: true,
      handleMessage: async (message) => {
        if (message.topic === Topics.inboundMessage) inbound.push(message.envelope as InboundEnvelope);
        else statuses.push(message.envelope as StatusEnvelope);
      },
    });
    await recorder.start();
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await recorder?.stop();
    await bus?.disconnect();
    await harness?.stop();
  });

  async function open(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Session> {
    const response = await harness.request<Session>('POST', '/api/v1/webchat/sessions', {
      body: { inboxId: 'website', ...body },
      headers,
    });
    expect(response.status).toBe(201);
    return response.body;
  }

  function connect(token: string | undefined, headers: Record<string, string> = {}): Promise<Socket> {
    const socket = io(harness.url, {
      path: WEBCHAT_LIVE_PATH,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(token === undefined ? {} : { auth: { token } }),
      extraHeaders: headers,
    });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  describe('sessions', () => {
    it('should verify an identity whose hash matches, keep an unhashed one a claim, and resume the same visitor', async () => {
      const verified = await open({ email: 'ana@example.com', emailHash: hash('ana@example.com') });
      const claimed = await open({ email: 'ana@example.com' });
      const resumed = await open({ token: verified.token });

      expect(verified.verified).toEqual([{ channel: 'email', address: 'ana@example.com' }]);
      expect(claimed.verified).toEqual([]);
      expect(resumed).toMatchObject({ visitorId: verified.visitorId, verified: verified.verified });
      expect(claimed.visitorId).not.toBe(verified.visitorId);
    });

    it('should start a new visitor when another verified user logs in on the same browser', async () => {
      const first = await open({ email: 'ana@example.com', emailHash: hash('ana@example.com') });
      const second = await open({
        token: first.token,
        email: 'bia@example.com',
        emailHash: hash('bia@example.com'),
      });

      expect(second.visitorId).not.toBe(first.visitorId);
    });

    it.each([
      [
        'a hash that does not match',
        { email: 'ana@example.com', emailHash: hash('bia@example.com') },
        403,
        'identity-verification-failed',
      ],
      [
        'a hash without its address',
        { phoneHash: hash('+5511987654321') },
        403,
        'identity-verification-failed',
      ],
      ['an unknown inbox', { inboxId: 'nope' }, 404, 'inbox-not-found'],
      ['an unknown field', { assigneeId: 'ana' }, 400, 'validation-failed'],
      ['a malformed phone', { phone: '11 98765-4321' }, 400, 'validation-failed'],
    ])('should refuse %s with a problem', async (_what, body, status, code) => {
      const response = await harness.request<{ code: string }>('POST', '/api/v1/webchat/sessions', {
        body: { inboxId: 'website', ...body },
      });

      expect(response.status).toBe(status);
      expect(response.contentType).toMatch(/^application\/problem\+json/);
      expect(response.body.code).toBe(code);
    });

    it('should refuse a verification on an inbox without an identity secret', async () => {
      const response = await harness.request<{ code: string }>('POST', '/api/v1/webchat/sessions', {
        body: { inboxId: 'demo', email: 'ana@example.com', emailHash: hash('ana@example.com') },
      });

      expect(response.status).toBe(403);
    });

    it("should accept the pages of the inbox's origins, with CORS headers, and refuse other pages", async () => {
      const preflight = await harness.request('OPTIONS', '/api/v1/webchat/sessions', {
        headers: { origin: SHOP, 'access-control-request-method': 'POST' },
      });
      const allowed = await harness.request('POST', '/api/v1/webchat/sessions', {
        body: { inboxId: 'website' },
        headers: { origin: SHOP },
      });
      const elsewhere = await harness.request<{ code: string }>('POST', '/api/v1/webchat/sessions', {
        body: { inboxId: 'website' },
        headers: { origin: 'https://evil.example' },
      });
      const demoElsewhere = await harness.request('POST', '/api/v1/webchat/sessions', {
        body: { inboxId: 'demo' },
        headers: { origin: SHOP },
      });
      const demoHere = await harness.request('POST', '/api/v1/webchat/sessions', {
        body: { inboxId: 'demo' },
        headers: { origin: harness.url },
      });

      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(SHOP);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      expect(allowed.status).toBe(201);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP);
      expect(elsewhere.status).toBe(403);
      expect(elsewhere.body.code).toBe('origin-not-allowed');
      expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
      expect(demoElsewhere.status).toBe(403);
      expect(demoHere.status).toBe(201);
    });
  });

  describe('visitor tokens', () => {
    it("should not take an agent's access token as a visitor token, nor a visitor token as an agent's", async () => {
      const visitor = await open({});
      const admin = await harness.loginAsAdmin();

      const asVisitor = await harness.request('GET', '/api/v1/webchat/messages', {
        token: admin.accessToken,
      });
      const asAgent = await harness.request('GET', '/api/v1/conversations', { token: visitor.token });
      await expect(connect(admin.accessToken)).rejects.toThrow();
      const unauthenticated = await harness.request('GET', '/api/v1/webchat/messages');

      expect(asVisitor.status).toBe(401);
      expect(asAgent.status).toBe(401);
      expect(unauthenticated.status).toBe(401);
    });

    it('should refuse a socket handshake without a token or from a page the inbox does not allow', async () => {
      const visitor = await open({});

      await expect(connect(undefined)).rejects.toThrow();
      await expect(connect(visitor.token, { origin: 'https://evil.example' })).rejects.toThrow(/origin/);
      await expect(connect(visitor.token, { origin: SHOP })).resolves.toBeDefined();
    });
  });

  describe('messages', () => {
    it('should publish a visitor message as a webchat InboundMessage once, however often it is retried', async () => {
      const visitor = await open({
        name: 'Ana',
        email: 'ana@example.com',
        emailHash: hash('ana@example.com'),
      });
      const clientMessageId = randomUUID();
      const socket = await connect(visitor.token);

      const overSocket = (await socket
        .timeout(10_000)
        .emitWithAck('message', { clientMessageId, text: 'Olá!' })) as { ok: boolean; messageId: string };
      const overRest = await harness.request<{ messageId: string }>('POST', '/api/v1/webchat/messages', {
        token: visitor.token,
        body: { clientMessageId, text: 'Olá!' },
      });

      expect(overSocket.ok).toBe(true);
      expect(overRest.status).toBe(202);
      expect(overRest.body.messageId).toBe(overSocket.messageId);
      const published = await waitFor(
        () => {
          const copies = inbound.filter((envelope) => envelope.data.externalId === overSocket.messageId);
          return copies.length === 2 ? copies : undefined;
        },
        { description: 'both copies on ponte.inbound.message.v1' },
      );
      // The router stores a message once per (tenant, channel, account, externalId): both copies are one message.
      expect(new Set(published.map((envelope) => envelope.id)).size).toBe(1);
      expect(published[0]?.tenantId).toBe(TENANT);
      expect(published[0]?.data).toMatchObject({
        channel: 'webchat',
        channelAccountId: 'website',
        from: { address: visitor.visitorId, displayName: 'Ana' },
        content: { text: 'Olá!' },
        vouchedIdentities: [{ channel: 'email', address: 'ana@example.com' }],
      });
    });

    it('should never vouch for an identity the visitor only claimed', async () => {
      const visitor = await open({ email: 'ana@example.com' });
      const sent = await harness.request<{ messageId: string }>('POST', '/api/v1/webchat/messages', {
        token: visitor.token,
        body: { clientMessageId: randomUUID(), text: 'Sou a Ana' },
      });

      const published = await waitFor(
        () => inbound.find((envelope) => envelope.data.externalId === sent.body.messageId),
        { description: 'the message on ponte.inbound.message.v1' },
      );
      expect(published.data.vouchedIdentities).toBeUndefined();
      expect(published.data.claimedIdentities).toEqual([{ channel: 'email', address: 'ana@example.com' }]);
      expect(published.data.from.displayName).toBe('ana@example.com (unverified)');
    });

    it('should refuse an empty, an oversized or a malformed message with a problem and publish nothing', async () => {
      const visitor = await open({});
      const socket = await connect(visitor.token);
      const before = inbound.length;

      const empty = (await socket
        .timeout(10_000)
        .emitWithAck('message', { clientMessageId: randomUUID(), text: '   ' })) as {
        ok: boolean;
        error: { code: string };
      };
      const long = await harness.request<{ code: string }>('POST', '/api/v1/webchat/messages', {
        token: visitor.token,
        body: { clientMessageId: randomUUID(), text: 'x'.repeat(10_001) },
      });
      const malformed = await harness.request<{ code: string }>('POST', '/api/v1/webchat/messages', {
        token: visitor.token,
        rawBody: '{"clientMessageId": ',
      });
      const extra = await harness.request<{ code: string }>('POST', '/api/v1/webchat/messages', {
        token: visitor.token,
        body: { clientMessageId: randomUUID(), text: 'oi', channel: 'sms' },
      });

      expect(empty).toMatchObject({ ok: false, error: { code: 'validation-failed' } });
      expect([long.status, malformed.status, extra.status]).toEqual([400, 400, 400]);
      // A valid message of the same visitor afterwards (its key, so its partition): once it is read, anything the
      // refused ones had published would have been read before it.
      const sentinel = await harness.request<{ messageId: string }>('POST', '/api/v1/webchat/messages', {
        token: visitor.token,
        body: { clientMessageId: randomUUID(), text: 'sentinel' },
      });
      await waitFor(() => inbound.find((envelope) => envelope.data.externalId === sentinel.body.messageId), {
        description: 'the sentinel on ponte.inbound.message.v1',
      });
      expect(inbound.slice(before).map((envelope) => envelope.data.externalId)).toEqual([
        sentinel.body.messageId,
      ]);
    });

    it("should limit a visitor's messages per minute", async () => {
      const visitor = await open({});
      const answers: number[] = [];
      for (let index = 0; index < 21; index++) {
        const response = await harness.request('POST', '/api/v1/webchat/typing', {
          token: visitor.token,
          body: { typing: index % 2 === 0 },
        });
        answers.push(response.status);
      }

      expect(answers.slice(0, 20).every((status) => status === 204)).toBe(true);
      expect(answers[20]).toBe(429);
    });
  });

  describe('agent messages', () => {
    async function publishReply(visitor: Session, text: string): Promise<OutboundMessage> {
      const message: OutboundMessage = {
        messageId: `reply-${randomUUID()}`,
        conversationId: `conversation-${randomUUID()}`,
        channel: 'webchat',
        channelAccountId: 'website',
        to: { address: visitor.visitorId },
        content: { text },
      };
      await bus.publish(
        Topics.outbound.webchat,
        createEnvelope(Topics.outbound.webchat, message, { source: '/ponte/router', tenantId: TENANT }),
        { key: messageKey(Topics.outbound.webchat, message) },
      );
      return message;
    }

    it("should push an agent message to every socket of the visitor, and record it sent, then delivered on the visitor's acknowledgement", async () => {
      const visitor = await open({});
      const stranger = await open({});
      const tabs = [await connect(visitor.token), await connect(visitor.token)];
      const strangerSocket = await connect(stranger.token);
      const received: { messageId: string; text: string }[][] = [[], []];
      const strangerReceived: unknown[] = [];
      tabs.forEach((tab, index) =>
        tab.on('message', (message: { messageId: string; text: string }, ack: () => void) => {
          received[index]?.push(message);
          ack();
        }),
      );
      strangerSocket.on('message', (message: unknown) => strangerReceived.push(message));

      const reply = await publishReply(visitor, 'Seu pedido sai hoje.');

      await waitFor(() => received.every((messages) => messages.length === 1) || undefined, {
        description: 'the reply on both tabs',
      });
      expect(received[0]?.[0]).toMatchObject({ messageId: reply.messageId, text: 'Seu pedido sai hoje.' });
      const states = await waitFor(
        () => {
          const mine = statuses
            .filter((envelope) => envelope.data.messageId === reply.messageId)
            .map((envelope) => envelope.data.state);
          return mine.includes('sent') && mine.includes('delivered') ? mine : undefined;
        },
        { description: 'sent and delivered on ponte.delivery.status.v1' },
      );
      // A second reply, delivered after the first's acknowledgements: by then a second `delivered` would be out.
      const later = await publishReply(visitor, 'Mais alguma coisa?');
      await waitFor(
        () =>
          statuses.some(
            (envelope) => envelope.data.messageId === later.messageId && envelope.data.state === 'delivered',
          ) || undefined,
        { description: 'the second reply delivered' },
      );
      // Two tabs acknowledged it: delivered is published once by this instance.
      expect(
        statuses.filter(
          (envelope) => envelope.data.messageId === reply.messageId && envelope.data.state === 'delivered',
        ),
      ).toHaveLength(1);
      expect(states.filter((state) => state === 'delivered')).toHaveLength(1);
      expect(strangerReceived).toEqual([]);
    });
  });

  describe('widget', () => {
    it('should serve the widget script, its demo page and the socket.io client', async () => {
      const script = await harness.request('GET', '/webchat/widget.js');
      const demo = await harness.request('GET', '/webchat/demo');
      const client = await fetch(`${harness.url}${WEBCHAT_LIVE_PATH}/socket.io.min.js`);

      expect(script.status).toBe(200);
      expect(script.contentType).toMatch(/^text\/javascript/);
      expect(String(script.body)).toContain("const API = '/api/v1/webchat'");
      expect(demo.status).toBe(200);
      expect(String(demo.body)).toContain('/webchat/widget.js');
      expect(client.status).toBe(200);
    });
  });
});
