import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Collection, Document, Filter } from 'mongodb';
import type { Connection } from 'mongoose';
import {
  type AgentRecord,
  type ConversationRecord,
  type CustomerRecord,
  type IdentityRecord,
  type MergeRecord,
  type MergeSuggestionRecord,
  type MessageRecord,
  type QueueRecord,
  RouterCollections,
  scopedId,
} from './router-read.model';

/** Merges form chains at most this deep in the router (merge-chain.ts MAX_MERGE_HOPS); the gateway follows as many. */
const MAX_MERGE_HOPS = 10;
/** Conversations of one customer group read at most (newest first). */
const MAX_CONVERSATIONS_PER_CUSTOMER = 200;

export interface TimelineCursor {
  createdAt: Date;
  id: string;
}

/**
 * Read-only access to the router's collections. Reads by `_id` where the data allows it; every other filter is a scan
 * on FerretDB 1.24 (MongoDB uses the router's indexes), so each of those reads has a limit (see the README).
 */
@Injectable()
export class RouterReadModel {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  private collection<T extends Document>(name: string): Collection<T> {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB is not connected');
    return db.collection<T>(name);
  }

  agent(tenantId: string, agentId: string): Promise<AgentRecord | null> {
    return this.collection<AgentRecord>(RouterCollections.agents).findOne({
      _id: scopedId(tenantId, agentId),
      tenantId,
    });
  }

  queue(tenantId: string, queueId: string): Promise<QueueRecord | null> {
    return this.collection<QueueRecord>(RouterCollections.queues).findOne({
      _id: scopedId(tenantId, queueId),
      tenantId,
    });
  }

  /** Scan on FerretDB; a tenant has at most 500 queues (SupportConfigLimits). */
  queues(tenantId: string): Promise<QueueRecord[]> {
    return this.collection<QueueRecord>(RouterCollections.queues)
      .find({ tenantId })
      .sort({ order: 1, queueId: 1 })
      .limit(500)
      .toArray();
  }

  conversation(tenantId: string, conversationId: string): Promise<ConversationRecord | null> {
    return this.collection<ConversationRecord>(RouterCollections.conversations).findOne({
      _id: conversationId,
      tenantId,
    });
  }

  /** One page of a filtered list, urgent first, then the oldest (the longest waiting) first. */
  listConversations(filter: Filter<ConversationRecord>, limit: number): Promise<ConversationRecord[]> {
    return this.collection<ConversationRecord>(RouterCollections.conversations)
      .find(filter)
      .sort({ priorityRank: -1, createdAt: 1, _id: 1 })
      .limit(limit)
      .toArray();
  }

  conversationsOfCustomers(tenantId: string, customerIds: readonly string[]): Promise<ConversationRecord[]> {
    return this.collection<ConversationRecord>(RouterCollections.conversations)
      .find({ tenantId, customerId: { $in: [...customerIds] } })
      .sort({ createdAt: -1, _id: 1 })
      .limit(MAX_CONVERSATIONS_PER_CUSTOMER)
      .toArray();
  }

  /** Messages of some conversations (one, or a customer's) in timeline order, after the cursor. */
  timeline(
    tenantId: string,
    conversationIds: readonly string[],
    after: TimelineCursor | undefined,
    limit: number,
  ): Promise<MessageRecord[]> {
    const filter: Filter<MessageRecord> = {
      tenantId,
      conversationId: conversationIds.length === 1 ? conversationIds[0] : { $in: [...conversationIds] },
    };
    if (after) {
      filter.$or = [
        { createdAt: { $gt: after.createdAt } },
        { createdAt: after.createdAt, _id: { $gt: after.id } },
      ];
    }
    return this.collection<MessageRecord>(RouterCollections.messages)
      .find(filter)
      .sort({ createdAt: 1, _id: 1 })
      .limit(limit)
      .toArray();
  }

  /** The customer's latest incoming message in the conversation: the router answers its identity by default. */
  lastIncoming(tenantId: string, conversationId: string): Promise<MessageRecord | null> {
    return this.collection<MessageRecord>(RouterCollections.messages)
      .find({ tenantId, conversationId, direction: 'incoming' })
      .sort({ createdAt: -1, _id: -1 })
      .limit(1)
      .next();
  }

  message(tenantId: string, messageId: string): Promise<MessageRecord | null> {
    return this.collection<MessageRecord>(RouterCollections.messages).findOne({ _id: messageId, tenantId });
  }

  /** The newest messages to and from one identity (`tenant|channel|address`), newest first. */
  messagesOfIdentity(tenantId: string, identityId: string, limit: number): Promise<MessageRecord[]> {
    return this.collection<MessageRecord>(RouterCollections.messages)
      .find({ tenantId, identityId })
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit)
      .toArray();
  }

  /** The canonical customer (following merges) and every customer merged into it, canonical first. */
  async canonicalCustomer(
    tenantId: string,
    customerId: string,
  ): Promise<{ customer: CustomerRecord; members: string[] } | null> {
    const customers = this.collection<CustomerRecord>(RouterCollections.customers);
    let customer = await customers.findOne({ _id: customerId, tenantId });
    for (let hop = 0; customer?.mergedInto && hop < MAX_MERGE_HOPS; hop++) {
      customer = await customers.findOne({ _id: customer.mergedInto, tenantId });
    }
    if (!customer) return null;
    const members = [customer._id];
    if (!customer.mergeTarget) return { customer, members };
    let frontier = [customer._id];
    for (let depth = 0; depth < MAX_MERGE_HOPS && frontier.length > 0; depth++) {
      const children = await customers
        .find({ tenantId, mergedInto: { $in: frontier } }, { projection: { _id: 1 } })
        .limit(1_000)
        .toArray();
      frontier = children.map((child) => child._id).filter((id) => !members.includes(id));
      members.push(...frontier);
    }
    return { customer, members };
  }

  identitiesOf(tenantId: string, customerIds: readonly string[]): Promise<IdentityRecord[]> {
    return this.collection<IdentityRecord>(RouterCollections.identities)
      .find({ tenantId, customerId: { $in: [...customerIds] } })
      .limit(1_000)
      .toArray();
  }

  merge(tenantId: string, mergeId: string): Promise<MergeRecord | null> {
    return this.collection<MergeRecord>(RouterCollections.merges).findOne({
      _id: scopedId(tenantId, mergeId),
      tenantId,
    });
  }

  mergeSuggestions(tenantId: string, limit: number): Promise<MergeSuggestionRecord[]> {
    return this.collection<MergeSuggestionRecord>(RouterCollections.mergeSuggestions)
      .find({ tenantId })
      .sort({ createdAt: -1, _id: 1 })
      .limit(limit)
      .toArray();
  }
}
