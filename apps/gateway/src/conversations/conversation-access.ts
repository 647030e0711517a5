import { Injectable } from '@nestjs/common';
import type { AgentRole } from '@ponte/contracts';
import type { AgentPrincipal } from '../auth/agent-principal';
import {
  ConversationForbiddenError,
  ConversationNotFoundError,
  CustomerForbiddenError,
  CustomerNotFoundError,
} from '../http/problem.error';
import type { ConversationRecord, CustomerRecord } from './router-read.model';
import { RouterReadModel } from './router-read.repository';

/** Roles that see every conversation of their tenant (the router's canAgentAct agrees). */
export const SUPERVISING_ROLES: ReadonlySet<AgentRole> = new Set(['supervisor', 'admin']);

/** What one agent may see: every conversation of the tenant, or those of some queues plus those assigned to them. */
export interface AccessScope {
  tenantId: string;
  agentId: string;
  everything: boolean;
  /** The agent's queues in the router's roster (`agents`); empty for an account the roster does not know. */
  queueIds: readonly string[];
}

/**
 * Invariant 5, the rule itself: supervisors and admins see their whole tenant; other agents the conversations of
 * their queues and those assigned to them. Another tenant's conversation is never visible (the caller answers 404).
 */
export function canSee(
  scope: AccessScope,
  conversation: Pick<ConversationRecord, 'tenantId' | 'queueId' | 'assigneeId'>,
): boolean {
  if (conversation.tenantId !== scope.tenantId) return false;
  return (
    scope.everything ||
    conversation.assigneeId === scope.agentId ||
    scope.queueIds.includes(conversation.queueId)
  );
}

/** The same rule as a MongoDB filter, for lists: ANDed with the caller's own filters. */
export function visibleConversationsFilter(scope: AccessScope): Record<string, unknown> {
  if (scope.everything) return { tenantId: scope.tenantId };
  return {
    tenantId: scope.tenantId,
    $or: [{ queueId: { $in: [...scope.queueIds] } }, { assigneeId: scope.agentId }],
  };
}

export function scopeFor(principal: AgentPrincipal, queueIds: readonly string[]): AccessScope {
  return {
    tenantId: principal.tenantId,
    agentId: principal.agentId,
    everything: SUPERVISING_ROLES.has(principal.role),
    queueIds,
  };
}

/**
 * The one place every route (reads and commands) asks "may this agent see that?". The agent's queues are read from
 * the router's roster on each request (one `_id` read), so a change of queues applies at once.
 */
@Injectable()
export class ConversationAccess {
  constructor(private readonly readModel: RouterReadModel) {}

  async scopeOf(principal: AgentPrincipal): Promise<AccessScope> {
    if (SUPERVISING_ROLES.has(principal.role)) return scopeFor(principal, []);
    const agent = await this.readModel.agent(principal.tenantId, principal.agentId);
    return scopeFor(principal, agent?.queueIds ?? []);
  }

  /** The conversation, if the agent may see it: 404 when the tenant has none with this id, 403 when out of reach. */
  async conversation(principal: AgentPrincipal, conversationId: string): Promise<ConversationRecord> {
    const conversation = await this.readModel.conversation(principal.tenantId, conversationId);
    if (!conversation) throw new ConversationNotFoundError(conversationId);
    if (!canSee(await this.scopeOf(principal), conversation)) {
      throw new ConversationForbiddenError(conversationId);
    }
    return conversation;
  }

  /**
   * The customer (its canonical customer after merges) with the ids of its group and its conversations the agent may
   * see: 404 when the tenant has no such customer, 403 when none of its conversations is within reach.
   */
  async customer(
    principal: AgentPrincipal,
    customerId: string,
  ): Promise<{ customer: CustomerRecord; members: string[]; conversations: ConversationRecord[] }> {
    const found = await this.readModel.canonicalCustomer(principal.tenantId, customerId);
    if (!found) throw new CustomerNotFoundError(customerId);
    const scope = await this.scopeOf(principal);
    const all = await this.readModel.conversationsOfCustomers(principal.tenantId, found.members);
    const conversations = all.filter((conversation) => canSee(scope, conversation));
    if (!scope.everything && conversations.length === 0) throw new CustomerForbiddenError(customerId);
    return { ...found, conversations };
  }
}
