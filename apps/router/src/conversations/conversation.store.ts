import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { isDuplicateKeyError } from '@ponte/persistence';
import type { Priority, SupportTier } from '@ponte/contracts';
import type { Model } from 'mongoose';
import { Conversation, type Intake, PRIORITY_RANK } from './conversation.schema';

export type OpenResult =
  | { status: 'created'; conversation: Conversation }
  /** The customer already had an open conversation (a concurrent message won the race): use that one. */
  | { status: 'already-open'; conversation: Conversation };

export type ReopenResult =
  | { status: 'reopened'; conversation: Conversation }
  | { status: 'already-open'; conversation: Conversation }
  /** Another conversation of the customer is open; the unique openKey forbids a second one. */
  | { status: 'customer-has-open'; conversation: Conversation };

/** Conversation state. Every change is one guarded single-document update: no transactions needed. */
@Injectable()
export class ConversationStore implements OnModuleInit {
  constructor(@InjectModel(Conversation.name) private readonly model: Model<Conversation>) {}

  /** The unique indexes carry the guarantees, so they must exist before the first write. */
  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  get(tenantId: string, conversationId: string): Promise<Conversation | null> {
    return this.model.findOne({ _id: conversationId, tenantId }).lean<Conversation>().exec();
  }

  /** The open conversation of any of these customers (a merged customer group has at most one per member). */
  async openOf(tenantId: string, customerIds: readonly string[]): Promise<Conversation | null> {
    const open = await this.model
      .find({ tenantId, openKey: { $in: [...customerIds] }, status: 'open' })
      .lean<Conversation[]>()
      .exec();
    // Prefer the canonical customer's (first id) when a merge left two open.
    return (
      open.sort((a, b) => customerIds.indexOf(a.customerId) - customerIds.indexOf(b.customerId))[0] ?? null
    );
  }

  lastResolvedOf(tenantId: string, customerIds: readonly string[]): Promise<Conversation | null> {
    return this.model
      .findOne({ tenantId, customerId: { $in: [...customerIds] }, status: 'resolved' })
      .sort({ resolvedAt: -1 })
      .lean<Conversation>()
      .exec();
  }

  /** Opens a conversation, unless the unique openKey says the customer already has one. */
  async open(conversation: Conversation): Promise<OpenResult> {
    try {
      await this.model.collection.insertOne(conversation as never);
      return { status: 'created', conversation };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // Either this very conversation (a replay) or another one opened concurrently for the customer.
      const existing =
        (await this.get(conversation.tenantId, conversation._id)) ??
        (await this.openOf(conversation.tenantId, [conversation.customerId]));
      if (!existing) throw error;
      return { status: 'already-open', conversation: existing };
    }
  }

  /** Reopens a resolved conversation into the waiting line of its queue. */
  async reopen(
    tenantId: string,
    conversationId: string,
    customerId: string,
    at: Date,
  ): Promise<ReopenResult> {
    try {
      const updated = await this.model
        .findOneAndUpdate(
          { _id: conversationId, tenantId, status: 'resolved' },
          {
            $set: {
              status: 'open',
              openKey: customerId,
              resolvedAt: null,
              assigneeId: null,
              waitingSince: at,
            },
            $inc: { reopenCount: 1 },
          },
          { new: true },
        )
        .lean<Conversation>()
        .exec();
      if (updated) return { status: 'reopened', conversation: updated };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const open = await this.openOf(tenantId, [customerId]);
      if (open) return { status: 'customer-has-open', conversation: open };
      throw error;
    }
    const current = await this.get(tenantId, conversationId);
    if (!current) throw new Error(`conversation ${conversationId} vanished`);
    return { status: 'already-open', conversation: current };
  }

  /** Resolves an open conversation; null when it is not open (already resolved: a replay, or a bad command). */
  resolve(
    tenantId: string,
    conversationId: string,
    resolution: { by: string; at: Date; tier: SupportTier; fcr: boolean },
  ): Promise<Conversation | null> {
    return this.model
      .findOneAndUpdate(
        { _id: conversationId, tenantId, status: 'open' },
        {
          $set: {
            status: 'resolved',
            openKey: conversationId,
            resolvedAt: resolution.at,
            resolvedBy: resolution.by,
            resolvedByTier: resolution.tier,
            fcr: resolution.fcr,
            waitingSince: null,
          },
        },
        { new: true },
      )
      .lean<Conversation>()
      .exec();
  }

  /**
   * Moves an open conversation to another queue (transfer, escalation) as a waiting one; the agent who held it is
   * released by the caller. Guarded on the queue it was read in, so two concurrent moves cannot both apply.
   */
  moveToQueue(
    tenantId: string,
    conversationId: string,
    from: { queueId: string; assigneeId: string | null },
    to: { queueId: string; tier: SupportTier; at: Date; intake?: Intake; escalation: boolean },
  ): Promise<Conversation | null> {
    return this.model
      .findOneAndUpdate(
        { _id: conversationId, tenantId, status: 'open', queueId: from.queueId, assigneeId: from.assigneeId },
        {
          $set: {
            queueId: to.queueId,
            tier: to.tier,
            assigneeId: null,
            waitingSince: to.at,
            ...(to.intake ? { intake: to.intake } : {}),
          },
          $inc: to.escalation ? {} : { transferCount: 1 },
          $push: { tiersVisited: to.tier },
        },
        { new: true },
      )
      .lean<Conversation>()
      .exec();
  }

  async setPriority(tenantId: string, conversationId: string, priority: Priority): Promise<void> {
    await this.model
      .updateOne(
        { _id: conversationId, tenantId },
        { $set: { priority, priorityRank: PRIORITY_RANK[priority] } },
      )
      .exec();
  }

  /** Stops the first-response clock (only the first reply counts). */
  async markFirstResponse(tenantId: string, conversationId: string, at: Date): Promise<void> {
    await this.model
      .updateOne(
        { _id: conversationId, tenantId, firstRespondedAt: { $exists: false } },
        { $set: { firstRespondedAt: at } },
      )
      .exec();
  }
}
