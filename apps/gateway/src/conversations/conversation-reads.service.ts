import { Injectable } from '@nestjs/common';
import type { AgentPrincipal } from '../auth/agent-principal';
import { GatewayConfig } from '../config/gateway.config';
import { type AccessScope, ConversationAccess, visibleConversationsFilter } from './conversation-access';
import {
  type ConversationDetailView,
  type ConversationListView,
  conversationView,
  customerSummaryView,
  type CustomerView,
  decodeCursor,
  encodeCursor,
  identityView,
  type ListConversationsQuery,
  type MergeCandidateView,
  mergeCandidateView,
  messageView,
  type QueueView,
  queueView,
  type TimelinePageView,
  type TimelineQuery,
} from './conversation.dto';
import type { MessageRecord } from './router-read.model';
import { RouterReadModel } from './router-read.repository';

const DEFAULT_LIMIT = 50;

/** The agents' read side: lists, conversations with their timelines, customers, queues, merge candidates. */
@Injectable()
export class ConversationReads {
  constructor(
    private readonly readModel: RouterReadModel,
    private readonly access: ConversationAccess,
    private readonly config: GatewayConfig,
  ) {}

  private get dueSoonMs(): number {
    return this.config.GATEWAY_SLA_DUE_SOON_MINUTES * 60_000;
  }

  async list(principal: AgentPrincipal, query: ListConversationsQuery): Promise<ConversationListView> {
    const scope = await this.access.scopeOf(principal);
    const limit = query.limit ?? DEFAULT_LIMIT;
    const now = new Date();
    const clauses: Record<string, unknown>[] = [visibleConversationsFilter(scope)];
    if (query.queueId !== undefined) clauses.push({ queueId: query.queueId });
    if (query.status !== undefined) clauses.push({ status: query.status });
    if (query.priority !== undefined) clauses.push({ priority: query.priority });
    if (query.assignee !== undefined) {
      const assigneeId = query.assignee === 'me' ? principal.agentId : query.assignee;
      clauses.push({ assigneeId: query.assignee === 'none' ? null : assigneeId });
    }
    if (query.sla !== undefined) clauses.push(...this.slaClauses(query.sla, now));
    if (query.cursor !== undefined) {
      const after = decodeCursor(query.cursor, ['p', 't', 'id']);
      const createdAt = new Date(after.t);
      clauses.push({
        $or: [
          { priorityRank: { $lt: Number(after.p) } },
          { priorityRank: Number(after.p), createdAt: { $gt: createdAt } },
          { priorityRank: Number(after.p), createdAt, _id: { $gt: String(after.id) } },
        ],
      });
    }
    const found = await this.readModel.listConversations({ $and: clauses }, limit + 1);
    const page = found.slice(0, limit);
    const last = page[page.length - 1];
    return {
      conversations: page.map((conversation) => conversationView(conversation, now, this.dueSoonMs)),
      ...(found.length > limit && last
        ? { next: encodeCursor({ p: last.priorityRank, t: last.createdAt.toISOString(), id: last._id }) }
        : {}),
    };
  }

  async get(
    principal: AgentPrincipal,
    conversationId: string,
    query: TimelineQuery,
  ): Promise<ConversationDetailView> {
    const conversation = await this.access.conversation(principal, conversationId);
    return {
      conversation: conversationView(conversation, new Date(), this.dueSoonMs),
      timeline: await this.timeline(principal.tenantId, [conversation._id], query),
    };
  }

  async customer(principal: AgentPrincipal, customerId: string, query: TimelineQuery): Promise<CustomerView> {
    const { customer, members, conversations } = await this.access.customer(principal, customerId);
    const identities = await this.readModel.identitiesOf(principal.tenantId, members);
    const now = new Date();
    return {
      customer: customerSummaryView(customer, members),
      identities: identities
        .map(identityView)
        .sort(
          (a, b) =>
            (b.lastSeenAt ?? '').localeCompare(a.lastSeenAt ?? '') ||
            a.identityId.localeCompare(b.identityId),
        ),
      conversations: conversations.map((conversation) => conversationView(conversation, now, this.dueSoonMs)),
      timeline:
        conversations.length === 0
          ? { messages: [] }
          : await this.timeline(
              principal.tenantId,
              conversations.map((conversation) => conversation._id),
              query,
            ),
    };
  }

  async queues(principal: AgentPrincipal): Promise<QueueView[]> {
    return (await this.readModel.queues(principal.tenantId)).map(queueView);
  }

  /** Merge suggestions; an agent sees those about a customer with a conversation in reach. */
  async mergeCandidates(principal: AgentPrincipal, limit = DEFAULT_LIMIT): Promise<MergeCandidateView[]> {
    const scope = await this.access.scopeOf(principal);
    const suggestions = await this.readModel.mergeSuggestions(
      principal.tenantId,
      scope.everything ? limit : limit * 4,
    );
    if (scope.everything) return suggestions.map(mergeCandidateView);
    const visible = await this.customersInReach(scope, [
      ...new Set(
        suggestions.flatMap((suggestion) => [suggestion.customerId, suggestion.candidateCustomerId]),
      ),
    ]);
    return suggestions
      .filter(
        (suggestion) => visible.has(suggestion.customerId) || visible.has(suggestion.candidateCustomerId),
      )
      .slice(0, limit)
      .map(mergeCandidateView);
  }

  private async customersInReach(scope: AccessScope, customerIds: string[]): Promise<Set<string>> {
    if (customerIds.length === 0) return new Set();
    const conversations = await this.readModel.listConversations(
      { $and: [visibleConversationsFilter(scope), { customerId: { $in: customerIds } }] },
      1_000,
    );
    return new Set(conversations.map((conversation) => conversation.customerId));
  }

  private async timeline(
    tenantId: string,
    conversationIds: readonly string[],
    query: TimelineQuery,
  ): Promise<TimelinePageView> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const after =
      query.cursor === undefined
        ? undefined
        : (({ t, id }) => ({ createdAt: new Date(t), id: String(id) }))(
            decodeCursor(query.cursor, ['t', 'id']),
          );
    const found: MessageRecord[] = await this.readModel.timeline(tenantId, conversationIds, after, limit + 1);
    const page = found.slice(0, limit);
    const last = page[page.length - 1];
    return {
      messages: page.map(messageView),
      ...(found.length > limit && last
        ? { next: encodeCursor({ t: last.createdAt.toISOString(), id: last._id }) }
        : {}),
    };
  }

  /** Open conversations past a deadline (`breached`) or close to one (`due-soon`). */
  private slaClauses(sla: 'breached' | 'due-soon', now: Date): Record<string, unknown>[] {
    const soon = new Date(now.getTime() + this.dueSoonMs);
    const breached = [
      { firstRespondedAt: { $exists: false }, firstResponseDueAt: { $lte: now } },
      { resolutionDueAt: { $lte: now } },
    ];
    if (sla === 'breached') return [{ status: 'open' }, { $or: breached }];
    return [
      { status: 'open' },
      { $nor: breached },
      {
        $or: [
          { firstRespondedAt: { $exists: false }, firstResponseDueAt: { $lte: soon } },
          { resolutionDueAt: { $lte: soon } },
        ],
      },
    ];
  }
}
