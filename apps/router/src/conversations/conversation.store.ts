import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  bulkWriteInChunks,
  findById,
  findByIds,
  GuardedUpdates,
  insertManyOnce,
  isDuplicateKeyError,
} from '@ponte/persistence';
import type { Priority, SupportTier } from '@ponte/contracts';
import type { Model } from 'mongoose';
import { slaTargets } from '../sla/sla-policy';
import { Conversation, type Intake, PRIORITY_RANK } from './conversation.schema';
import { CustomerThread, customerThreadIdOf } from './customer-thread.schema';

export type OpenResult =
  | { status: 'created'; conversation: Conversation }
  /** The customer already had an open conversation (a concurrent message won the race): use that one. */
  | { status: 'already-open'; conversation: Conversation };

/** What threading needs to know about a customer (group): its open conversation and its last resolved one. */
export interface CustomerConversations {
  open: Conversation | null;
  lastResolved: Conversation | null;
}

export type ReopenResult =
  | { status: 'reopened'; conversation: Conversation }
  | { status: 'already-open'; conversation: Conversation }
  /** Another conversation of the customer is open; the unique openKey forbids a second one. */
  | { status: 'customer-has-open'; conversation: Conversation };

/** Conversations opened by this process remembered for openedHereMeanwhile (customer → conversation id). */
const RECENTLY_OPENED = 10_000;

/** Conversation state. Every change is one guarded single-document update: no transactions needed. */
@Injectable()
export class ConversationStore implements OnModuleInit {
  private readonly recentlyOpened = new Map<string, string>();

  constructor(
    @InjectModel(Conversation.name) private readonly model: Model<Conversation>,
    @InjectModel(CustomerThread.name) private readonly threads: Model<CustomerThread>,
    private readonly guarded: GuardedUpdates,
  ) {}

  /** The unique indexes carry the guarantees, so they must exist before the first write. */
  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  /**
   * The open and the last resolved conversation of a customer group (canonical customer first). A lone customer is
   * answered from its CustomerThread hint with `_id` reads; a merged group, rare, by querying the conversations.
   */
  async conversationsOf(tenantId: string, customerIds: readonly string[]): Promise<CustomerConversations> {
    const [customerId, ...others] = customerIds;
    if (customerId === undefined) return { open: null, lastResolved: null };
    if (others.length > 0) {
      const [open, lastResolved] = await Promise.all([
        this.openOf(tenantId, customerIds),
        this.lastResolvedOf(tenantId, customerIds),
      ]);
      return { open, lastResolved };
    }
    const [answer] = (await this.conversationsOfLoneCustomers(tenantId, [customerId])).values();
    return answer ?? { open: null, lastResolved: null };
  }

  /**
   * conversationsOf for many customers that are each their group alone (nothing merged into them), in two reads
   * whatever their number: their CustomerThread hints, then the conversations the hints name.
   */
  async conversationsOfLoneCustomers(
    tenantId: string,
    customerIds: readonly string[],
  ): Promise<Map<string, CustomerConversations>> {
    const threads = await findByIds(
      this.threads,
      customerIds.map((customerId) => customerThreadIdOf(tenantId, customerId)),
      { tenantId },
    );
    const hintedIds = threads.flatMap((thread) =>
      [thread.openConversationId, thread.lastResolvedConversationId].filter((id): id is string =>
        Boolean(id),
      ),
    );
    const hinted = new Map(
      (await findByIds(this.model, hintedIds, { tenantId })).map((conversation) => [
        conversation._id,
        conversation,
      ]),
    );
    const byCustomer = new Map(threads.map((thread) => [thread.customerId, thread]));
    return new Map(
      customerIds.map((customerId) => [customerId, fromHint(customerId, byCustomer.get(customerId), hinted)]),
    );
  }

  get(tenantId: string, conversationId: string): Promise<Conversation | null> {
    return findById(this.model, conversationId, { tenantId });
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
    const { tenantId, customerId } = conversation;
    // The hint is written first, so it exists before the customer's first conversation does and costs one write.
    // Until the insert below, it names a conversation not stored yet, which readers take for none (see CustomerThread).
    await this.threads
      .updateOne(
        { _id: customerThreadIdOf(tenantId, customerId) },
        {
          $set: { openConversationId: conversation._id },
          $setOnInsert: { tenantId, customerId, lastResolvedConversationId: null },
        },
        { upsert: true },
      )
      .exec()
      .catch(async (error: unknown) => {
        // Two first conversations of one customer racing to create the hint: the loser sets it.
        if (!isDuplicateKeyError(error)) throw error;
        await this.markOpen(conversation);
      });
    try {
      await this.model.collection.insertOne(conversation as never);
      this.rememberOpened(conversation);
      return { status: 'created', conversation };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // Either this very conversation (a replay) or another one opened concurrently for the customer.
      const existing =
        (await this.get(tenantId, conversation._id)) ??
        (await this.openedHereMeanwhile(tenantId, customerId)) ??
        (await this.openOf(tenantId, [customerId]));
      if (!existing) throw error;
      if (existing.status === 'open') await this.markOpen(existing);
      return { status: 'already-open', conversation: existing };
    }
  }

  /**
   * `open` for many customers' first conversations at once (a batch's new contacts): their hints inserted together
   * (a customer seen before already has one, which is updated instead, in commands of UPDATE_STATEMENTS_PER_COMMAND),
   * then one unordered insert of the conversations. Returns the ids created; a conversation not created (a replay, or
   * one opened concurrently for its customer) goes through `open` to learn which.
   */
  async openMany(conversations: readonly Conversation[]): Promise<Set<string>> {
    if (conversations.length === 0) return new Set();
    // An insert, not an upsert: on FerretDB an insert of many documents is one statement, an upsert one per document.
    const { duplicates } = await insertManyOnce<CustomerThread>(
      this.threads.collection,
      conversations.map((conversation) => ({
        _id: customerThreadIdOf(conversation.tenantId, conversation.customerId),
        tenantId: conversation.tenantId,
        customerId: conversation.customerId,
        openConversationId: conversation._id,
        lastResolvedConversationId: null,
      })),
    );
    const hints = duplicates.flatMap((index) => {
      const conversation = conversations[index];
      if (!conversation) return [];
      return [
        {
          updateOne: {
            filter: { _id: customerThreadIdOf(conversation.tenantId, conversation.customerId) },
            update: { $set: { openConversationId: conversation._id } },
          },
        },
      ];
    });
    await bulkWriteInChunks(this.threads, hints, { ordered: false });
    const { inserted } = await insertManyOnce<Conversation>(this.model.collection, [...conversations]);
    const created = new Set<string>();
    for (const index of inserted) {
      const conversation = conversations[index];
      if (!conversation) continue;
      this.rememberOpened(conversation);
      created.add(conversation._id);
    }
    return created;
  }

  /**
   * The conversation another task of this process opened for the customer a moment ago (the common race: the same
   * phone writing on WhatsApp and SMS, two partitions, both opening), checked by `_id`; saves querying the
   * conversations, which on FerretDB reads them all. Another instance's race still takes the query.
   */
  private async openedHereMeanwhile(tenantId: string, customerId: string): Promise<Conversation | null> {
    const id = this.recentlyOpened.get(customerThreadIdOf(tenantId, customerId));
    if (!id) return null;
    const conversation = await this.get(tenantId, id);
    return conversation?.status === 'open' && conversation.customerId === customerId ? conversation : null;
  }

  private rememberOpened(conversation: Conversation): void {
    const key = customerThreadIdOf(conversation.tenantId, conversation.customerId);
    this.recentlyOpened.delete(key);
    this.recentlyOpened.set(key, conversation._id);
    if (this.recentlyOpened.size <= RECENTLY_OPENED) return;
    const oldest = this.recentlyOpened.keys().next();
    if (!oldest.done) this.recentlyOpened.delete(oldest.value);
  }

  private async markOpen(conversation: Conversation): Promise<void> {
    await this.threads
      .updateOne(
        { _id: customerThreadIdOf(conversation.tenantId, conversation.customerId) },
        { $set: { openConversationId: conversation._id } },
      )
      .exec();
  }

  /** Reopens a resolved conversation into the waiting line of its queue. */
  async reopen(
    tenantId: string,
    conversationId: string,
    customerId: string,
    at: Date,
  ): Promise<ReopenResult> {
    try {
      const updated = await this.guarded.update<Conversation>(
        this.model.collection,
        conversationId,
        { tenantId, status: 'resolved' },
        {
          $set: { status: 'open', openKey: customerId, resolvedAt: null, assigneeId: null, waitingSince: at },
          $inc: { reopenCount: 1 },
        },
      );
      if (updated) {
        await this.markOpen(updated);
        return { status: 'reopened', conversation: updated };
      }
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const open = await this.openOf(tenantId, [customerId]);
      if (open) {
        await this.markOpen(open);
        return { status: 'customer-has-open', conversation: open };
      }
      throw error;
    }
    const current = await this.get(tenantId, conversationId);
    if (!current) throw new Error(`conversation ${conversationId} vanished`);
    return { status: 'already-open', conversation: current };
  }

  /** Resolves an open conversation; null when it is not open (already resolved: a replay, or a bad command). */
  async resolve(
    tenantId: string,
    conversationId: string,
    resolution: { by: string; at: Date; tier: SupportTier; fcr: boolean },
  ): Promise<Conversation | null> {
    const resolved = await this.guarded.update<Conversation>(
      this.model.collection,
      conversationId,
      { tenantId, status: 'open' },
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
    );
    if (resolved) {
      await this.threads
        .updateOne(
          { _id: customerThreadIdOf(tenantId, resolved.customerId) },
          { $set: { openConversationId: null, lastResolvedConversationId: resolved._id } },
        )
        .exec();
    }
    return resolved;
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
    return this.guarded.update<Conversation>(
      this.model.collection,
      conversationId,
      { tenantId, status: 'open', queueId: from.queueId, assigneeId: from.assigneeId },
      {
        $set: {
          queueId: to.queueId,
          tier: to.tier,
          assigneeId: null,
          waitingSince: to.at,
          ...(to.intake ? { intake: to.intake } : {}),
        },
        ...(to.escalation ? {} : { $inc: { transferCount: 1 } }),
        $push: { tiersVisited: to.tier },
      },
    );
  }

  /**
   * Changes the priority, and with it the SLA targets: both clocks keep their start (the conversation's first
   * inbound) and get the new priority's targets, like a help desk recalculating its SLA. A target that is already
   * past is reported by the SLA monitor's next check; a breach already reported is not reported again.
   */
  async setPriority(tenantId: string, conversation: Conversation, priority: Priority): Promise<void> {
    const targets = slaTargets(conversation.channel, priority);
    const start = conversation.createdAt.getTime();
    await this.guarded.update<Conversation>(
      this.model.collection,
      conversation._id,
      { tenantId },
      {
        $set: {
          priority,
          priorityRank: PRIORITY_RANK[priority],
          firstResponseDueAt: new Date(start + targets.firstResponseMs),
          resolutionDueAt: new Date(start + targets.resolutionMs),
        },
      },
    );
  }

  /** Stops the first-response clock (only the first reply counts). */
  async markFirstResponse(tenantId: string, conversationId: string, at: Date): Promise<void> {
    await this.guarded.update<Conversation>(
      this.model.collection,
      conversationId,
      { tenantId, firstRespondedAt: { $exists: false } },
      { $set: { firstRespondedAt: at } },
    );
  }
}

/** What a customer's thread hint says, checked against the conversations it names (see CustomerThread). */
function fromHint(
  customerId: string,
  thread: CustomerThread | undefined,
  conversations: ReadonlyMap<string, Conversation>,
): CustomerConversations {
  if (!thread) return { open: null, lastResolved: null };
  const named = (id: string | null) => (id ? conversations.get(id) : undefined);
  const hintedOpen = named(thread.openConversationId);
  if (hintedOpen?.status === 'open' && hintedOpen.customerId === customerId)
    return { open: hintedOpen, lastResolved: null };
  // A stale open hint names a conversation resolved meanwhile: a candidate for the last resolved one.
  const lastResolved = [hintedOpen, named(thread.lastResolvedConversationId)]
    .filter(
      (conversation): conversation is Conversation =>
        conversation?.status === 'resolved' && conversation.customerId === customerId,
    )
    .sort((a, b) => (b.resolvedAt?.getTime() ?? 0) - (a.resolvedAt?.getTime() ?? 0))[0];
  return { open: null, lastResolved: lastResolved ?? null };
}
