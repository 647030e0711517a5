import type { AgentCommandOf } from '@ponte/contracts';
import type { TokenPairView } from '../auth/auth.dto';
import type { CommandResultView } from '../commands/command.dto';
import type { ProblemDetails } from '../http/problem.error';
import { GatewayHarness, TENANT } from '../testing/gateway.harness';
import { insertRouterDocuments, RouterDouble, routerDocuments as doc } from '../testing/router-double';
import type {
  ConversationDetailView,
  ConversationListView,
  CustomerView,
  QueueView,
} from './conversation.dto';
import { ConversationsController } from './conversations.controller';
import { RouterCollections } from './router-read.model';

const API = '/api/v1';
const HOUR = 3_600_000;

/*
 * The conversations API against the real FerretDB and Kafka, with router-shaped documents inserted directly and a
 * router double on the Kafka topics: conversations in two queues (billing, tech), an agent of billing (ana), another
 * agent of tech (bia), a supervisor (sam), and an admin; plus a conversation of another tenant.
 */
describe(ConversationsController.name, () => {
  let sut: GatewayHarness;
  let router: RouterDouble;
  let ana: TokenPairView;
  let sam: TokenPairView;
  let admin: TokenPairView;

  const billingCustomer = doc.customer(TENANT, 'customer-billing');
  const techCustomer = doc.customer(TENANT, 'customer-tech');
  const whatsappCustomer = doc.customer(TENANT, 'customer-whatsapp', { originChannel: 'whatsapp' });
  const billing = doc.conversation(TENANT, 'c-billing', {
    customerId: billingCustomer._id,
    openKey: billingCustomer._id,
    priority: 'high',
    priorityRank: 2,
  });
  const billingOld = doc.conversation(TENANT, 'c-billing-resolved', {
    customerId: billingCustomer._id,
    openKey: 'c-billing-resolved',
    status: 'resolved',
    resolvedAt: new Date('2026-01-04T00:00:00Z'),
    createdAt: new Date('2026-01-03T00:00:00Z'),
  });
  const tech = doc.conversation(TENANT, 'c-tech', {
    customerId: techCustomer._id,
    openKey: techCustomer._id,
    queueId: 'tech',
  });
  const techAssignedToAna = doc.conversation(TENANT, 'c-tech-ana', {
    customerId: 'customer-other',
    openKey: 'customer-other',
    queueId: 'tech',
    assigneeId: 'ana',
    waitingSince: null,
    firstResponseDueAt: new Date(Date.now() - HOUR),
  });
  const whatsapp = doc.conversation(TENANT, 'c-whatsapp', {
    customerId: whatsappCustomer._id,
    openKey: whatsappCustomer._id,
    channel: 'whatsapp',
    createdAt: new Date('2026-01-06T00:00:00Z'),
  });
  const foreign = doc.conversation('other-tenant', 'c-foreign', { customerId: 'customer-foreign' });
  const whatsappIdentity = doc.identity(TENANT, whatsappCustomer._id, 'whatsapp', '5511987654321', {
    lastSeenAt: new Date(Date.now() - 30 * HOUR),
  });

  beforeAll(async () => {
    // Long enough for a loaded machine: every command here is answered, so no test waits it out.
    sut = await GatewayHarness.start({ env: { GATEWAY_COMMAND_WAIT_MS: '10000' } });
    router = await RouterDouble.start(sut.env, (command) => {
      if (command.kind === 'note' && command.content.text?.startsWith('apply')) {
        return {
          events: [
            {
              kind: 'message.appended',
              conversationId: command.conversationId,
              customerId: billingCustomer._id,
              occurredAt: command.issuedAt,
              message: {
                messageId: `note-${command.commandId}`,
                direction: 'note',
                content: command.content,
                author: command.agent,
                createdAt: command.issuedAt,
              },
            },
          ],
        };
      }
      if (command.kind === 'resolve') {
        return {
          rejection: {
            code: 'INVALID_STATE',
            message: `conversation ${command.conversationId} is already resolved`,
          },
        };
      }
      return undefined;
    });
    const { db } = sut;
    await insertRouterDocuments(db, RouterCollections.queues, [
      doc.queue(TENANT, 'billing', { order: 0 }),
      doc.queue(TENANT, 'tech', { order: 1 }),
    ]);
    await insertRouterDocuments(db, RouterCollections.agents, [
      doc.agent(TENANT, 'ana', { queueIds: ['billing'] }),
      doc.agent(TENANT, 'bia', { queueIds: ['tech'] }),
      doc.agent(TENANT, 'sam', { role: 'supervisor' }),
    ]);
    await insertRouterDocuments(db, RouterCollections.customers, [
      billingCustomer,
      techCustomer,
      whatsappCustomer,
      doc.customer('other-tenant', 'customer-foreign'),
    ]);
    await insertRouterDocuments(db, RouterCollections.identities, [
      doc.identity(TENANT, billingCustomer._id, 'sms', '+5511911110000'),
      doc.identity(TENANT, billingCustomer._id, 'email', 'cliente@example.com'),
      doc.identity(TENANT, techCustomer._id, 'sms', '+5511922220000'),
      whatsappIdentity,
    ]);
    await insertRouterDocuments(db, RouterCollections.conversations, [
      billing,
      billingOld,
      tech,
      techAssignedToAna,
      whatsapp,
      foreign,
    ]);
    await insertRouterDocuments(db, RouterCollections.messages, [
      doc.message(TENANT, billing, 'm-2', {
        createdAt: new Date('2026-01-05T12:02:00Z'),
        direction: 'outgoing',
        author: { id: 'ana', role: 'solver' },
        deliveryState: 'delivered',
        channelAccountId: '+5511999990000',
      }),
      doc.message(TENANT, billing, 'm-1', {
        createdAt: new Date('2026-01-05T12:01:00Z'),
        identityId: `${TENANT}|sms|+5511911110000`,
        revision: 'edited',
        revisions: [
          {
            id: 'r-1',
            kind: 'edited',
            previousContent: { text: 'first words' },
            at: new Date('2026-01-05T12:01:30Z'),
          },
        ],
      }),
      doc.message(TENANT, billing, 'm-3', {
        createdAt: new Date('2026-01-05T12:03:00Z'),
        direction: 'note',
        channel: 'internal',
        channelAccountId: 'internal',
        author: { id: 'ana', role: 'solver' },
      }),
      doc.message(TENANT, billingOld, 'm-0', {
        createdAt: new Date('2026-01-03T00:00:00Z'),
        channel: 'email',
      }),
      doc.message(TENANT, whatsapp, 'm-wa', {
        channel: 'whatsapp',
        identityId: whatsappIdentity._id,
        createdAt: new Date(Date.now() - 30 * HOUR),
      }),
    ]);
    await insertRouterDocuments(db, RouterCollections.mergeSuggestions, [
      {
        _id: `${TENANT}|customer-billing|customer-whatsapp`,
        tenantId: TENANT,
        customerId: 'customer-whatsapp',
        candidateCustomerId: 'customer-billing',
        reason: 'same display name',
        createdAt: new Date('2026-01-06T00:00:00Z'),
      },
      {
        _id: `${TENANT}|customer-other|customer-tech`,
        tenantId: TENANT,
        customerId: 'customer-tech',
        candidateCustomerId: 'customer-unknown',
        reason: 'same display name',
        createdAt: new Date('2026-01-05T00:00:00Z'),
      },
    ]);
    await insertRouterDocuments(db, RouterCollections.merges, [
      {
        _id: `${TENANT}|merge-1`,
        tenantId: TENANT,
        mergeId: 'merge-1',
        sourceCustomerId: 'customer-old',
        targetCustomerId: billingCustomer._id,
        splitAt: null,
      },
    ]);
    admin = await sut.loginAsAdmin();
    const anaAccount = await sut.createAgent(admin.accessToken, { agentId: 'ana', role: 'solver' });
    const samAccount = await sut.createAgent(admin.accessToken, { agentId: 'sam', role: 'supervisor' });
    ana = await sut.login(anaAccount.account.email, anaAccount.password);
    sam = await sut.login(samAccount.account.email, samAccount.password);
  }, 60_000);

  afterAll(async () => {
    await router?.stop();
    await sut?.stop();
  });

  const ids = (list: ConversationListView): string[] =>
    list.conversations.map((conversation) => conversation.id);
  const commandsOf = async (conversationId: string) =>
    (await router.commandsSoFar(TENANT)).filter(
      (envelope) => 'conversationId' in envelope.data && envelope.data.conversationId === conversationId,
    );

  describe('reads', () => {
    it('should list an agent the conversations of their queues and those assigned to them, urgent first', async () => {
      const response = await sut.request<ConversationListView>('GET', `${API}/conversations`, {
        token: ana.accessToken,
      });

      expect(response.status).toBe(200);
      expect(ids(response.body)).toEqual(['c-billing', 'c-billing-resolved', 'c-tech-ana', 'c-whatsapp']);
    });

    it('should list a supervisor every conversation of the tenant, none of another tenant', async () => {
      const response = await sut.request<ConversationListView>('GET', `${API}/conversations`, {
        token: sam.accessToken,
      });

      expect(ids(response.body).sort()).toEqual(
        ['c-billing', 'c-billing-resolved', 'c-tech', 'c-tech-ana', 'c-whatsapp'].sort(),
      );
    });

    it('should filter by queue, status, assignee, priority and SLA state', async () => {
      const list = async (query: string) =>
        ids(
          (
            await sut.request<ConversationListView>('GET', `${API}/conversations?${query}`, {
              token: sam.accessToken,
            })
          ).body,
        );

      expect(await list('queueId=tech')).toEqual(['c-tech', 'c-tech-ana']);
      expect(await list('status=resolved')).toEqual(['c-billing-resolved']);
      expect(await list('assignee=ana')).toEqual(['c-tech-ana']);
      expect(await list('priority=high')).toEqual(['c-billing']);
      expect(await list('sla=breached')).toEqual(['c-tech-ana']);
      const mine = await sut.request<ConversationListView>('GET', `${API}/conversations?assignee=me`, {
        token: ana.accessToken,
      });
      expect(ids(mine.body)).toEqual(['c-tech-ana']);
    });

    it('should page with the cursor without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page: ConversationListView = (
          await sut.request<ConversationListView>(
            'GET',
            `${API}/conversations?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
            { token: sam.accessToken },
          )
        ).body;
        seen.push(...ids(page));
        cursor = page.next;
      } while (cursor);

      expect(seen).toEqual(['c-billing', 'c-billing-resolved', 'c-tech', 'c-tech-ana', 'c-whatsapp']);
    });

    it('should refuse an unknown filter or a forged cursor with 400', async () => {
      const unknown = await sut.request<ProblemDetails>('GET', `${API}/conversations?tenantId=other-tenant`, {
        token: ana.accessToken,
      });
      const forged = await sut.request<ProblemDetails>('GET', `${API}/conversations?cursor=bm90LWpzb24`, {
        token: ana.accessToken,
      });

      expect(unknown.status).toBe(400);
      expect(forged.status).toBe(400);
    });

    it('should show a conversation with its timeline in order, with delivery state, revisions and notes', async () => {
      const response = await sut.request<ConversationDetailView>('GET', `${API}/conversations/c-billing`, {
        token: ana.accessToken,
      });

      expect(response.status).toBe(200);
      expect(response.body.conversation).toMatchObject({
        id: 'c-billing',
        queueId: 'billing',
        priority: 'high',
      });
      expect(
        response.body.timeline.messages.map((message) => [message.messageId, message.direction]),
      ).toEqual([
        ['m-1', 'incoming'],
        ['m-2', 'outgoing'],
        ['m-3', 'note'],
      ]);
      expect(response.body.timeline.messages[0]).toMatchObject({
        revision: 'edited',
        revisions: [{ kind: 'edited', previousContent: { text: 'first words' } }],
      });
      expect(response.body.timeline.messages[1]).toMatchObject({
        deliveryState: 'delivered',
        channel: 'sms',
      });
      expect(response.body.timeline.messages[2]).not.toHaveProperty('channel');
    });

    it('should page a timeline', async () => {
      const first = await sut.request<ConversationDetailView>(
        'GET',
        `${API}/conversations/c-billing?limit=2`,
        {
          token: ana.accessToken,
        },
      );
      const second = await sut.request<ConversationDetailView>(
        'GET',
        `${API}/conversations/c-billing?limit=2&cursor=${first.body.timeline.next}`,
        { token: ana.accessToken },
      );

      expect(first.body.timeline.messages.map((message) => message.messageId)).toEqual(['m-1', 'm-2']);
      expect(second.body.timeline.messages.map((message) => message.messageId)).toEqual(['m-3']);
      expect(second.body.timeline.next).toBeUndefined();
    });

    it('should answer 403 for a conversation outside the agent reach and 404 for another tenant’s', async () => {
      const outside = await sut.request<ProblemDetails>('GET', `${API}/conversations/c-tech`, {
        token: ana.accessToken,
      });
      const foreignRead = await sut.request<ProblemDetails>('GET', `${API}/conversations/c-foreign`, {
        token: sam.accessToken,
      });
      const supervisor = await sut.request('GET', `${API}/conversations/c-tech`, { token: sam.accessToken });

      expect(outside.status).toBe(403);
      expect(outside.body.code).toBe('forbidden');
      expect(foreignRead.status).toBe(404);
      expect(foreignRead.body.code).toBe('conversation-not-found');
      expect(supervisor.status).toBe(200);
    });

    it('should show a customer with every identity and the timeline across conversations and channels', async () => {
      const response = await sut.request<CustomerView>('GET', `${API}/customers/customer-billing`, {
        token: ana.accessToken,
      });

      expect(response.status).toBe(200);
      expect(response.body.identities.map((identity) => identity.channel).sort()).toEqual(['email', 'sms']);
      expect(response.body.conversations.map((conversation) => conversation.id)).toEqual([
        'c-billing',
        'c-billing-resolved',
      ]);
      expect(response.body.timeline.messages.map((message) => [message.messageId, message.channel])).toEqual([
        ['m-0', 'email'],
        ['m-1', 'sms'],
        ['m-2', 'sms'],
        ['m-3', undefined],
      ]);
    });

    it('should answer 403 for a customer outside the agent reach and 404 for another tenant’s', async () => {
      const outside = await sut.request('GET', `${API}/customers/customer-tech`, { token: ana.accessToken });
      const foreignCustomer = await sut.request('GET', `${API}/customers/customer-foreign`, {
        token: sam.accessToken,
      });

      expect(outside.status).toBe(403);
      expect(foreignCustomer.status).toBe(404);
    });

    it('should list an agent the merge candidates about customers in reach, a supervisor all', async () => {
      const agent = await sut.request<{ customerId: string }[]>('GET', `${API}/merge-candidates`, {
        token: ana.accessToken,
      });
      const supervisor = await sut.request<{ customerId: string }[]>('GET', `${API}/merge-candidates`, {
        token: sam.accessToken,
      });

      expect(agent.body.map((candidate) => candidate.customerId)).toEqual(['customer-whatsapp']);
      expect(supervisor.body.map((candidate) => candidate.customerId)).toEqual([
        'customer-whatsapp',
        'customer-tech',
      ]);
    });

    it('should list the queues of the tenant', async () => {
      const response = await sut.request<QueueView[]>('GET', `${API}/queues`, { token: ana.accessToken });

      expect(response.body.map((queue) => queue.queueId)).toEqual(['billing', 'tech']);
    });
  });

  describe('commands', () => {
    it('should publish exactly one reply command, acting as the caller, and answer 202 when no event comes', async () => {
      const response = await sut.request<CommandResultView>('POST', `${API}/conversations/c-billing/reply`, {
        token: ana.accessToken,
        body: { text: 'Olá! Já verifico sua fatura.', channel: 'email' },
      });

      expect(response.status).toBe(202);
      expect(response.body).toEqual({ commandId: expect.any(String), status: 'accepted', events: [] });
      const commands = await commandsOf('c-billing');
      const replies = commands.filter((envelope) => envelope.data.kind === 'reply');
      expect(replies).toHaveLength(1);
      expect(replies[0]).toMatchObject({
        id: response.body.commandId,
        tenantId: TENANT,
        data: {
          kind: 'reply',
          commandId: response.body.commandId,
          conversationId: 'c-billing',
          agent: { id: 'ana', role: 'solver' },
          content: { text: 'Olá! Já verifico sua fatura.' },
          channel: 'email',
        },
      });
    });

    it('should answer 200 with the router events when they come within the wait', async () => {
      const response = await sut.request<CommandResultView>('POST', `${API}/conversations/c-billing/notes`, {
        token: ana.accessToken,
        body: { text: 'apply: cliente VIP' },
      });

      expect(response.status).toBe(200);
      expect(response.body.status).toBe('applied');
      expect(response.body.events).toEqual([
        expect.objectContaining({
          type: 'ponte.conversation.event.message.appended.v1',
          data: expect.objectContaining({ kind: 'message.appended', conversationId: 'c-billing' }),
        }),
      ]);
    });

    it('should answer the problem of a rejection the router dead-lettered', async () => {
      const response = await sut.request<ProblemDetails>('POST', `${API}/conversations/c-billing/resolve`, {
        token: ana.accessToken,
        body: {},
      });

      expect(response.status).toBe(409);
      expect(response.contentType).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ code: 'command-rejected', reason: 'INVALID_STATE' });
    });

    it('should publish one command for a retried POST with the same Idempotency-Key, and answer the same', async () => {
      const request = {
        token: ana.accessToken,
        headers: { 'idempotency-key': 'retry-1' },
        body: { text: 'Só uma vez, por favor' },
      };

      const first = await sut.request<CommandResultView>(
        'POST',
        `${API}/conversations/c-billing/reply`,
        request,
      );
      const retry = await sut.request<CommandResultView>(
        'POST',
        `${API}/conversations/c-billing/reply`,
        request,
      );
      const otherBody = await sut.request<ProblemDetails>('POST', `${API}/conversations/c-billing/reply`, {
        ...request,
        body: { text: 'Outra mensagem' },
      });

      expect(retry.status).toBe(first.status);
      expect(retry.body).toEqual(first.body);
      expect(otherBody.status).toBe(422);
      expect(otherBody.body.code).toBe('idempotency-key-reused');
      const sent = (await commandsOf('c-billing')).filter(
        (envelope) =>
          envelope.data.kind === 'reply' &&
          (envelope.data as AgentCommandOf<'reply'>).content.text === 'Só uma vez, por favor',
      );
      expect(sent).toHaveLength(1);
      expect(sent[0]?.data.commandId).toBe(first.body.commandId);
    });

    it('should publish one command when the same Idempotency-Key is sent twice at once', async () => {
      const request = {
        token: ana.accessToken,
        headers: { 'idempotency-key': 'concurrent-1' },
        body: { text: 'apply: concurrent note' },
      };

      const [first, second] = await Promise.all([
        sut.request<CommandResultView>('POST', `${API}/conversations/c-billing/notes`, request),
        sut.request<CommandResultView>('POST', `${API}/conversations/c-billing/notes`, request),
      ]);

      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.body.commandId).toBe(first.body.commandId);
      const notes = (await commandsOf('c-billing')).filter(
        (envelope) =>
          envelope.data.kind === 'note' &&
          (envelope.data as AgentCommandOf<'note'>).content.text === 'apply: concurrent note',
      );
      expect(notes).toHaveLength(1);
    });

    it('should merge customers both in reach and refuse a source customer outside it', async () => {
      const outside = await sut.request('POST', `${API}/customers/customer-billing/merge`, {
        token: ana.accessToken,
        body: { sourceCustomerId: 'customer-tech' },
      });
      const merged = await sut.request<CommandResultView>('POST', `${API}/customers/customer-billing/merge`, {
        token: ana.accessToken,
        body: { sourceCustomerId: 'customer-whatsapp' },
      });

      expect(outside.status).toBe(403);
      expect(merged.status).toBe(202);
      const merges = (await router.commandsSoFar(TENANT)).filter(
        (envelope) => envelope.data.kind === 'merge',
      );
      expect(merges.map((envelope) => envelope.data)).toEqual([
        expect.objectContaining({
          commandId: merged.body.commandId,
          conversationId: 'c-billing',
          sourceCustomerId: 'customer-whatsapp',
          targetCustomerId: 'customer-billing',
        }),
      ]);
    });

    it('should split a merge of the customer and answer 404 for a merge that is not theirs', async () => {
      const unknown = await sut.request<ProblemDetails>('POST', `${API}/customers/customer-billing/split`, {
        token: ana.accessToken,
        body: { mergeId: 'merge-of-someone-else' },
      });
      const split = await sut.request<CommandResultView>('POST', `${API}/customers/customer-billing/split`, {
        token: ana.accessToken,
        body: { mergeId: 'merge-1' },
      });

      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('merge-not-found');
      expect(split.status).toBe(202);
      const splits = (await router.commandsSoFar(TENANT)).filter(
        (envelope) => envelope.data.kind === 'split',
      );
      expect(splits.map((envelope) => envelope.data)).toEqual([
        expect.objectContaining({ mergeId: 'merge-1', conversationId: 'c-billing' }),
      ]);
    });

    it.each([
      ['assigneeId', { assigneeId: 'ana' }],
      ['role', { role: 'admin' }],
      ['agent', { agent: { id: 'sam', role: 'supervisor' } }],
      ['tenantId', { tenantId: 'other-tenant' }],
    ])('should answer 400 and publish nothing when the body sets %s', async (field, extra) => {
      const response = await sut.request<ProblemDetails>('POST', `${API}/conversations/c-billing/transfer`, {
        token: ana.accessToken,
        body: { queueId: 'tech', ...extra },
      });

      expect(response.status).toBe(400);
      expect(response.body.errors?.map((error) => error.field)).toEqual([field]);
      expect((await commandsOf('c-billing')).filter((envelope) => envelope.data.kind === 'transfer')).toEqual(
        [],
      );
    });

    it('should answer 422 and publish nothing for a WhatsApp reply outside the 24-hour window without a template', async () => {
      const response = await sut.request<ProblemDetails>('POST', `${API}/conversations/c-whatsapp/reply`, {
        token: ana.accessToken,
        body: { text: 'Olá, ainda precisa de ajuda?' },
      });

      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ code: 'reply-refused', reason: 'REPLY_WINDOW_CLOSED' });
      expect(response.body.detail).toMatch(/template/);
      expect(await commandsOf('c-whatsapp')).toEqual([]);
    });

    it('should accept the same WhatsApp reply with an approved template', async () => {
      const response = await sut.request<CommandResultView>('POST', `${API}/conversations/c-whatsapp/reply`, {
        token: ana.accessToken,
        body: {
          text: 'Olá, ainda precisa de ajuda?',
          template: { name: 'follow_up', languageCode: 'pt_BR' },
        },
      });

      expect(response.status).toBe(202);
    });

    it('should answer 422 and publish nothing for a reply on a channel the customer has no identity on', async () => {
      const response = await sut.request<ProblemDetails>('POST', `${API}/conversations/c-billing/reply`, {
        token: ana.accessToken,
        body: { text: 'Por Telegram?', channel: 'telegram' },
      });

      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ code: 'reply-refused', reason: 'NO_IDENTITY_FOR_CHANNEL' });
      const telegram = (await commandsOf('c-billing')).filter(
        (envelope) =>
          envelope.data.kind === 'reply' && (envelope.data as AgentCommandOf<'reply'>).channel === 'telegram',
      );
      expect(telegram).toEqual([]);
    });

    it('should answer 403 and publish nothing for commands on a conversation outside the agent reach', async () => {
      const reply = await sut.request('POST', `${API}/conversations/c-tech/reply`, {
        token: ana.accessToken,
        body: { text: 'não é meu' },
      });
      const transfer = await sut.request('POST', `${API}/conversations/c-tech/transfer`, {
        token: ana.accessToken,
        body: { queueId: 'billing' },
      });
      const foreignReply = await sut.request('POST', `${API}/conversations/c-foreign/reply`, {
        token: ana.accessToken,
        body: { text: 'outro tenant' },
      });

      expect([reply.status, transfer.status, foreignReply.status]).toEqual([403, 403, 404]);
      expect(await commandsOf('c-tech')).toEqual([]);
      expect(await commandsOf('c-foreign')).toEqual([]);
    });

    it('should publish a set-presence command for the caller', async () => {
      const response = await sut.request<CommandResultView>('POST', `${API}/agents/me/presence`, {
        token: ana.accessToken,
        body: { presence: 'away' },
      });

      expect(response.status).toBe(202);
      const presence = (await router.commandsSoFar(TENANT)).find(
        (envelope) => envelope.data.commandId === response.body.commandId,
      );
      expect(presence?.data).toMatchObject({ kind: 'set-presence', presence: 'away', agent: { id: 'ana' } });
    });

    it('should let only admins change the configuration, as a configure command', async () => {
      const forbidden = await sut.request('PUT', `${API}/admin/queues/vip`, {
        token: sam.accessToken,
        body: { name: 'VIP', kind: 'solver', tier: 'n1', skills: [] },
      });
      const created = await sut.request<CommandResultView>('PUT', `${API}/admin/queues/vip`, {
        token: admin.accessToken,
        body: { name: 'VIP', kind: 'solver', tier: 'n1', skills: ['vip'] },
      });
      const patched = await sut.request<CommandResultView>('PATCH', `${API}/admin/agents/ana`, {
        token: admin.accessToken,
        body: { capacity: 8, queueIds: ['billing', 'vip'] },
      });

      expect(forbidden.status).toBe(403);
      expect(created.status).toBe(202);
      expect(patched.status).toBe(202);
      const commands = await router.commandsSoFar(TENANT);
      const byId = (id: string) => commands.find((envelope) => envelope.data.commandId === id)?.data;
      expect(byId(created.body.commandId)).toMatchObject({
        kind: 'configure',
        agent: { role: 'admin' },
        queues: [{ queueId: 'vip', name: 'VIP', kind: 'solver', tier: 'n1', skills: ['vip'] }],
      });
      expect(byId(patched.body.commandId)).toMatchObject({
        kind: 'configure',
        agents: [
          { agentId: 'ana', role: 'solver', displayName: 'ana', capacity: 8, queueIds: ['billing', 'vip'] },
        ],
      });
    });
  });
});
