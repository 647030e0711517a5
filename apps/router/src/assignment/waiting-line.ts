import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { findById, findByIds, GuardedUpdates, UPDATE_STATEMENTS_PER_COMMAND } from '@ponte/persistence';
import type { Collection, Connection } from 'mongoose';
import type { ChannelKind } from '../queues';
import { type AssignableConversation, CONVERSATIONS_COLLECTION } from './assignment.model';

const ASSIGNABLE_FIELDS = {
  _id: 1,
  tenantId: 1,
  customerId: 1,
  status: 1,
  queueId: 1,
  tier: 1,
  priority: 1,
  priorityRank: 1,
  channelKind: 1,
  assigneeId: 1,
  waitingSince: 1,
  assignedAt: 1,
} as const;

/**
 * The assignment's view of the `conversations` collection: the waiting line of each queue, and the updates that
 * assign and unassign. The collection and its schema belong to the conversation store; only the fields of
 * AssignableConversation are read, and only assigneeId, waitingSince and assignedAt are written.
 */
@Injectable()
export class WaitingLine implements OnModuleInit {
  private readonly conversations: Collection<AssignableConversation>;

  constructor(
    @InjectConnection() connection: Connection,
    private readonly guarded: GuardedUpdates,
  ) {
    this.conversations = connection.collection<AssignableConversation>(CONVERSATIONS_COLLECTION);
  }

  /**
   * The drain's query: equality on tenant, queue, status and assignee, then the line's order. FerretDB has no
   * partial indexes, so resolved and assigned conversations stay in the index, behind the equality prefix.
   */
  async onModuleInit(): Promise<void> {
    await this.conversations.createIndex(
      { tenantId: 1, queueId: 1, status: 1, assigneeId: 1, priorityRank: -1, waitingSince: 1 },
      { name: 'assignment_waiting_line' },
    );
  }

  get(tenantId: string, conversationId: string): Promise<AssignableConversation | null> {
    return findById<AssignableConversation>(this.conversations, conversationId, {
      tenantId,
      projection: ASSIGNABLE_FIELDS,
    });
  }

  async getMany(
    tenantId: string,
    conversationIds: readonly string[],
  ): Promise<Map<string, AssignableConversation>> {
    const found = await findByIds<AssignableConversation>(this.conversations, conversationIds, {
      tenantId,
      projection: ASSIGNABLE_FIELDS,
    });
    return new Map(found.map((conversation) => [conversation._id, conversation]));
  }

  /** The head of a queue's line for these kinds: highest priority first, then longest waiting. */
  waiting(
    tenantId: string,
    queueId: string,
    kinds: readonly ChannelKind[],
    exclude: readonly string[],
    limit: number,
  ): Promise<AssignableConversation[]> {
    return this.conversations
      .find(
        {
          tenantId,
          queueId,
          status: 'open',
          assigneeId: null,
          waitingSince: { $ne: null },
          channelKind: { $in: [...kinds] },
          ...(exclude.length > 0 ? { _id: { $nin: [...exclude] } } : {}),
        },
        { projection: ASSIGNABLE_FIELDS },
      )
      .sort({ priorityRank: -1, waitingSince: 1, _id: 1 })
      .limit(limit)
      .toArray();
  }

  /** Gives the waiting conversation to the agent; false when it no longer waits in this queue. */
  async assign(conversation: AssignableConversation, agentId: string, at: Date): Promise<boolean> {
    const assigned = await this.guarded.update<AssignableConversation>(
      this.conversations,
      conversation._id,
      { tenantId: conversation.tenantId, status: 'open', assigneeId: null, queueId: conversation.queueId },
      { $set: { assigneeId: agentId, waitingSince: null, assignedAt: at } },
    );
    return assigned !== null;
  }

  /**
   * `assign` for many conversations, in commands of UPDATE_STATEMENTS_PER_COMMAND guarded updates; returns the ids
   * assigned. A command that matched fewer than it held is checked by reading its conversations back.
   */
  async assignMany(
    assignments: readonly { conversation: AssignableConversation; agentId: string; at: Date }[],
  ): Promise<Set<string>> {
    const assigned = new Set<string>();
    for (let start = 0; start < assignments.length; start += UPDATE_STATEMENTS_PER_COMMAND) {
      const chunk = assignments.slice(start, start + UPDATE_STATEMENTS_PER_COMMAND);
      const result = await this.conversations.bulkWrite(
        chunk.map(({ conversation, agentId, at }) => ({
          updateOne: {
            filter: {
              _id: conversation._id,
              tenantId: conversation.tenantId,
              status: 'open',
              assigneeId: null,
              queueId: conversation.queueId,
            },
            update: { $set: { assigneeId: agentId, waitingSince: null, assignedAt: at } },
          },
        })),
        { ordered: false },
      );
      if (result.matchedCount === chunk.length) {
        for (const { conversation } of chunk) assigned.add(conversation._id);
        continue;
      }
      const [first] = chunk;
      if (!first) continue;
      const now = await this.getMany(
        first.conversation.tenantId,
        chunk.map(({ conversation }) => conversation._id),
      );
      for (const { conversation, agentId } of chunk) {
        if (now.get(conversation._id)?.assigneeId === agentId) assigned.add(conversation._id);
      }
    }
    return assigned;
  }

  /** Takes the conversation from the agent while it is open: it waits again, from `at`. */
  async unassign(tenantId: string, conversationId: string, agentId: string, at: Date): Promise<boolean> {
    const unassigned = await this.guarded.update<AssignableConversation>(
      this.conversations,
      conversationId,
      { tenantId, status: 'open', assigneeId: agentId },
      { $set: { assigneeId: null, waitingSince: at } },
    );
    return unassigned !== null;
  }
}
