import type { AgentRole } from '@ponte/contracts';
import type { AgentPrincipal } from '../auth/agent-principal';
import {
  ConversationForbiddenError,
  ConversationNotFoundError,
  CustomerForbiddenError,
  CustomerNotFoundError,
} from '../http/problem.error';
import { canSee, ConversationAccess, scopeFor, visibleConversationsFilter } from './conversation-access';
import type { AgentRecord, ConversationRecord, CustomerRecord } from './router-read.model';
import type { RouterReadModel } from './router-read.repository';

const TENANT = 'tenant-1';

function buildPrincipal(overrides: Partial<AgentPrincipal> = {}): AgentPrincipal {
  return {
    tenantId: TENANT,
    accountId: 'account-1',
    agentId: 'ana',
    role: 'solver',
    tokenId: 'token-1',
    expiresAt: new Date('2030-01-01T00:00:00Z'),
    ...overrides,
  };
}

function buildConversation(overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  const at = new Date('2026-01-01T10:00:00Z');
  return {
    _id: 'conversation-1',
    tenantId: TENANT,
    customerId: 'customer-1',
    status: 'open',
    channel: 'sms',
    queueId: 'billing',
    tier: 'n1',
    priority: 'normal',
    priorityRank: 1,
    assigneeId: null,
    waitingSince: at,
    firstResponseDueAt: at,
    resolutionDueAt: at,
    resolvedAt: null,
    createdAt: at,
    ...overrides,
  };
}

/** The read model with fixed answers: the rule never needs more than these reads. */
function buildReadModel(data: {
  agents?: AgentRecord[];
  conversations?: ConversationRecord[];
  customers?: CustomerRecord[];
}): RouterReadModel {
  return {
    agent: async (tenantId: string, agentId: string) =>
      data.agents?.find((agent) => agent.tenantId === tenantId && agent.agentId === agentId) ?? null,
    conversation: async (tenantId: string, id: string) =>
      data.conversations?.find(
        (conversation) => conversation.tenantId === tenantId && conversation._id === id,
      ) ?? null,
    canonicalCustomer: async (tenantId: string, id: string) => {
      const customer = data.customers?.find(
        (candidate) => candidate.tenantId === tenantId && candidate._id === id,
      );
      return customer ? { customer, members: [customer._id] } : null;
    },
    conversationsOfCustomers: async (tenantId: string, ids: readonly string[]) =>
      (data.conversations ?? []).filter(
        (conversation) => conversation.tenantId === tenantId && ids.includes(conversation.customerId),
      ),
  } as unknown as RouterReadModel;
}

function buildAgent(overrides: Partial<AgentRecord> = {}): AgentRecord {
  return {
    _id: `${TENANT}|ana`,
    tenantId: TENANT,
    agentId: 'ana',
    role: 'solver',
    displayName: 'Ana',
    queueIds: ['billing'],
    capacity: 5,
    presence: 'online',
    ...overrides,
  };
}

describe('conversation access', () => {
  describe(canSee.name, () => {
    const agentScope = scopeFor(buildPrincipal(), ['billing']);

    it('should let an agent see a conversation of their queue', () => {
      expect(canSee(agentScope, buildConversation({ queueId: 'billing' }))).toBe(true);
    });

    it('should let an agent see a conversation of another queue when it is assigned to them', () => {
      expect(canSee(agentScope, buildConversation({ queueId: 'tech', assigneeId: 'ana' }))).toBe(true);
    });

    it('should hide a conversation of another queue assigned to someone else', () => {
      expect(canSee(agentScope, buildConversation({ queueId: 'tech', assigneeId: 'bia' }))).toBe(false);
    });

    it.each<AgentRole>(['supervisor', 'admin'])('should let a %s see every queue of the tenant', (role) => {
      expect(canSee(scopeFor(buildPrincipal({ role }), []), buildConversation({ queueId: 'tech' }))).toBe(
        true,
      );
    });

    it.each<AgentRole>(['solver', 'director', 'n2', 'n3'])(
      'should not let a %s see beyond their queues',
      (role) => {
        expect(
          canSee(scopeFor(buildPrincipal({ role }), ['billing']), buildConversation({ queueId: 'tech' })),
        ).toBe(false);
      },
    );

    it('should hide another tenant’s conversation even from an admin', () => {
      const scope = scopeFor(buildPrincipal({ role: 'admin' }), []);
      expect(canSee(scope, buildConversation({ tenantId: 'tenant-2' }))).toBe(false);
    });
  });

  describe(visibleConversationsFilter.name, () => {
    it('should filter an agent to their queues or their assignments, within the tenant', () => {
      expect(visibleConversationsFilter(scopeFor(buildPrincipal(), ['billing']))).toEqual({
        tenantId: TENANT,
        $or: [{ queueId: { $in: ['billing'] } }, { assigneeId: 'ana' }],
      });
    });

    it('should filter a supervisor to the tenant only', () => {
      expect(visibleConversationsFilter(scopeFor(buildPrincipal({ role: 'supervisor' }), []))).toEqual({
        tenantId: TENANT,
      });
    });
  });

  describe(ConversationAccess.name, () => {
    const billing = buildConversation({ _id: 'c-billing', queueId: 'billing', customerId: 'customer-1' });
    const tech = buildConversation({ _id: 'c-tech', queueId: 'tech', customerId: 'customer-2' });
    const foreign = buildConversation({ _id: 'c-foreign', tenantId: 'tenant-2' });
    const customer = (id: string, tenantId = TENANT): CustomerRecord => ({
      _id: id,
      tenantId,
      displayName: null,
      originChannel: 'sms',
      tags: [],
      mergedInto: null,
      mergeId: null,
      createdAt: new Date(),
    });
    const sut = new ConversationAccess(
      buildReadModel({
        agents: [buildAgent()],
        conversations: [billing, tech, foreign],
        customers: [customer('customer-1'), customer('customer-2'), customer('customer-9', 'tenant-2')],
      }),
    );

    it('should return a conversation of the agent’s queue', async () => {
      await expect(sut.conversation(buildPrincipal(), 'c-billing')).resolves.toBe(billing);
    });

    it('should answer 403 for a conversation of the tenant outside the agent’s reach', async () => {
      await expect(sut.conversation(buildPrincipal(), 'c-tech')).rejects.toBeInstanceOf(
        ConversationForbiddenError,
      );
    });

    it('should answer 404 for another tenant’s conversation', async () => {
      await expect(sut.conversation(buildPrincipal({ role: 'admin' }), 'c-foreign')).rejects.toBeInstanceOf(
        ConversationNotFoundError,
      );
    });

    it('should see nothing but assignments when the router does not know the agent', async () => {
      const scope = await sut.scopeOf(buildPrincipal({ agentId: 'ghost' }));

      expect(scope).toMatchObject({ everything: false, queueIds: [] });
    });

    it('should answer 403 for a customer without any conversation in reach, 404 for another tenant’s', async () => {
      await expect(sut.customer(buildPrincipal(), 'customer-1')).resolves.toMatchObject({
        conversations: [billing],
      });
      await expect(sut.customer(buildPrincipal(), 'customer-2')).rejects.toBeInstanceOf(
        CustomerForbiddenError,
      );
      await expect(sut.customer(buildPrincipal(), 'customer-9')).rejects.toBeInstanceOf(
        CustomerNotFoundError,
      );
    });

    it('should let a supervisor read any customer of the tenant', async () => {
      await expect(sut.customer(buildPrincipal({ role: 'supervisor' }), 'customer-2')).resolves.toMatchObject(
        {
          conversations: [tech],
        },
      );
    });
  });
});
