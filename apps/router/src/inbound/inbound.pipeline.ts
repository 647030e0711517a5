import { Injectable, Logger } from '@nestjs/common';
import type {
  ConversationEvent,
  EnvelopeOf,
  InboundMessage,
  MessageRevision,
  Topics,
} from '@ponte/contracts';
import { RejectedMessageError } from '@ponte/messaging';
import { type Assignment, AssignmentService } from '../assignment';
import { type Conversation, PRIORITY_RANK } from '../conversations/conversation.schema';
import { type CustomerConversations, ConversationStore } from '../conversations/conversation.store';
import { ConversationEventsPublisher } from '../events/conversation-events.publisher';
import {
  appendedEvent,
  assignedEvent,
  assignedEventsFor,
  createdEvent,
  revisedEvent,
} from '../events/timeline-events';
import {
  CustomerDirectory,
  IdentityResolutionError,
  MergeConflictError,
  type ResolvedSender,
} from '../identity';
import { RouterConfig } from '../config/router.config';
import { QueueRouting } from '../routing/queue-routing';
import { channelKindOf } from '../shared/channel-kind';
import { mapConcurrently } from '../shared/map-concurrently';
import { stableId } from '../shared/stable-id';
import { slaTargets } from '../sla/sla-policy';
import { type ConversationSummary, decideThread } from '../threading/threading-policy';
import type { TimelineMessage } from '../timeline/timeline-message.schema';
import { TimelineStore } from '../timeline/timeline.store';

type InboundEnvelope = EnvelopeOf<typeof Topics.inboundMessage>;

interface BatchItem {
  envelope: InboundEnvelope;
  tenantId: string;
  message: InboundMessage;
  messageId: string;
  at: Date;
}

interface Threaded {
  conversation: Conversation;
  action: 'created' | 'appended' | 'reopened';
  reason: string;
  /** The agent a created conversation was inserted with (see AssignmentService.reserveForNew). */
  assignment?: Assignment;
}

const DEFAULT_PRIORITY = 'normal' as const;
/** Customers threaded, and conversations assigned, at once within a batch (each takes a few store round trips). */
const CUSTOMERS_IN_FLIGHT = 4;

/**
 * One inbound message, in the order the design brief fixes: resolve identity → thread → store the message (its
 * unique key makes a redelivery a no-op) → assign → emit. A message already stored is a replay: its events are
 * emitted again with the same ids, so a crash between the write and the emit loses nothing.
 */
@Injectable()
export class InboundPipeline {
  private readonly logger = new Logger(InboundPipeline.name);

  constructor(
    private readonly config: RouterConfig,
    private readonly directory: CustomerDirectory,
    private readonly conversations: ConversationStore,
    private readonly timeline: TimelineStore,
    private readonly routing: QueueRouting,
    private readonly assignment: AssignmentService,
    private readonly events: ConversationEventsPublisher,
  ) {}

  /** The id a message gets from its provider key: the same on every redelivery. */
  static messageIdOf(tenantId: string, message: InboundMessage): string {
    return stableId('message', tenantId, message.channel, message.channelAccountId, message.externalId);
  }

  async handle(envelope: InboundEnvelope): Promise<void> {
    await this.handleBatch([envelope]);
  }

  /**
   * A batch of one partition, in order. Reads and writes are grouped (one bulk read of stored messages, one bulk
   * identity resolution, one insertMany of the new messages, one publish of every event); threading runs per
   * customer, where only the first message of a customer needs the full decision — the rest join the conversation
   * it chose. A failure throws and the consumer retries the batch record by record, isolating a poison message.
   */
  async handleBatch(envelopes: readonly InboundEnvelope[]): Promise<void> {
    const items: BatchItem[] = envelopes.map((envelope) => ({
      envelope,
      tenantId: envelope.tenantId,
      message: envelope.data,
      messageId: InboundPipeline.messageIdOf(envelope.tenantId, envelope.data),
      at: new Date(envelope.data.receivedAt),
    }));
    // Edits and deletions change stored messages; they come after the batch's new messages, which they may name.
    const messages = items.filter((item) => !item.message.revision);
    if (messages.length > 0) await this.handleMessages(messages);
    for (const item of messages) if (item.message.vouchedIdentities?.length) await this.applyVouched(item);
    for (const item of messages) if (item.message.claimedIdentities?.length) await this.suggestClaimed(item);
    for (const item of items) if (item.message.revision) await this.revise(item, item.message.revision);
  }

  /**
   * A customer's edit or deletion (once; the earlier content stays in the message's revisions) and its
   * `message.revised` event, emitted again on a redelivery. An edit of a message Ponte never stored (sent before the
   * channel was connected, or lost by the provider) becomes a message of its own, so the customer's words are kept.
   */
  private async revise(item: BatchItem, revision: MessageRevision): Promise<void> {
    const targetId = InboundPipeline.messageIdOf(item.tenantId, { ...item.message, externalId: revision.of });
    const result = await this.timeline.revise(item.tenantId, targetId, {
      id: item.messageId,
      kind: revision.kind,
      content: item.message.content,
      ...(item.message.attachments ? { attachments: item.message.attachments } : {}),
      at: new Date(item.message.sentAt ?? item.message.receivedAt),
    });
    switch (result.status) {
      case 'revised':
      case 'duplicate':
        await this.events.publish(
          item.tenantId,
          item.messageId,
          { events: [revisedEvent(result.message)] },
          item.envelope.traceparent,
        );
        return;
      case 'stale':
        this.logger.debug(`revision ${item.messageId} of ${targetId} is older than the applied one: ignored`);
        return;
      case 'unknown':
        if (revision.kind === 'edited') {
          const { revision: _edit, ...message } = item.message;
          await this.handleMessages([{ ...item, message }]);
        } else {
          this.logger.log(`deletion ${item.messageId} names a message Ponte never stored: nothing to delete`);
        }
    }
  }

  /**
   * Strong evidence from the provider (a Telegram user sharing their own phone): the vouched address becomes the
   * sender's customer's. Its customer, when another, is merged automatically — reversibly, recorded, announced as
   * `customer.merged` without an agent: a customer made just now for the address joins the sender; an existing one
   * (with its WhatsApp/SMS history) receives the sender. Idempotent: a replay finds them merged already.
   */
  private async applyVouched(item: BatchItem): Promise<void> {
    const stored = await this.timeline.get(item.tenantId, item.messageId);
    if (!stored) return;
    for (const [index, vouched] of (item.message.vouchedIdentities ?? []).entries()) {
      let owner: ResolvedSender;
      try {
        owner = await this.directory.resolveSender({
          tenantId: item.tenantId,
          channel: vouched.channel,
          address: vouched.address,
          at: item.at,
        });
      } catch (error) {
        if (!(error instanceof IdentityResolutionError)) throw error;
        this.logger.warn(`vouched address of ${item.messageId} is not usable: ${error.message}`);
        continue;
      }
      const sender = await this.directory.canonicalCustomerId(item.tenantId, stored.customerId);
      if (owner.customerId === sender) continue;
      const [source, target] = owner.customerCreated
        ? [owner.customerId, sender]
        : [sender, owner.customerId];
      const mergeId = stableId('vouched', item.tenantId, item.messageId, String(index));
      try {
        const { merge } = await this.directory.merge({
          tenantId: item.tenantId,
          mergeId,
          sourceCustomerId: source,
          targetCustomerId: target,
          by: 'ponte:vouched-identity',
          at: item.at,
        });
        await this.events.publish(
          item.tenantId,
          mergeId,
          {
            events: [
              {
                kind: 'customer.merged',
                conversationId: stored.conversationId,
                customerId: merge.targetCustomerId,
                occurredAt: merge.at.toISOString(),
                mergeId: merge.mergeId,
                sourceCustomerId: merge.sourceCustomerId,
                targetCustomerId: merge.targetCustomerId,
              },
            ],
          },
          item.envelope.traceparent,
        );
      } catch (error) {
        if (!(error instanceof MergeConflictError)) throw error;
        this.logger.warn(`vouched address of ${item.messageId} cannot merge its customers: ${error.message}`);
      }
    }
  }

  /**
   * Weak evidence: an address the sender only claims (a web chat visitor's unverified e-mail) that belongs to another
   * customer becomes a merge suggestion for agents, announced once as `customer.merge.suggested` (again, under the
   * same event id, when the same message is handled again after a crash); nothing is merged.
   */
  private async suggestClaimed(item: BatchItem): Promise<void> {
    const stored = await this.timeline.get(item.tenantId, item.messageId);
    if (!stored) return;
    const customerId = await this.directory.canonicalCustomerId(item.tenantId, stored.customerId);
    for (const [index, claimed] of (item.message.claimedIdentities ?? []).entries()) {
      const suggestion = await this.directory.suggestForClaim({
        tenantId: item.tenantId,
        customerId,
        channel: claimed.channel,
        address: claimed.address,
        at: item.at,
        causeId: `${item.messageId}#${index}`,
      });
      if (!suggestion) continue;
      await this.events.publish(
        item.tenantId,
        stableId('claimed', item.tenantId, item.messageId, String(index)),
        {
          events: [
            {
              kind: 'customer.merge.suggested',
              conversationId: stored.conversationId,
              customerId,
              occurredAt: item.at.toISOString(),
              candidateCustomerId: suggestion.candidateCustomerId,
              evidence: [suggestion.reason],
            },
          ],
        },
        item.envelope.traceparent,
      );
    }
  }

  private async handleMessages(items: readonly BatchItem[]): Promise<void> {
    // The batch's first copy of each message is looked up, and its sender resolved, side by side: resolving a replay's
    // sender again changes nothing (its identity and customer exist; lastSeenAt only moves forward), and it saves a
    // round trip on every batch.
    const firstOf = new Map<string, BatchItem>();
    for (const item of items) if (!firstOf.has(item.messageId)) firstOf.set(item.messageId, item);
    const firsts = [...firstOf.values()];
    const [stored, resolved] = await Promise.all([
      this.timeline.getMany(firsts.map((item) => item.messageId)),
      this.resolveSenders(firsts),
    ]);
    if (resolved.length !== firsts.length)
      throw new Error('the directory answered a different number of senders');
    const senderOf = new Map(firsts.map((item, index) => [item, resolved[index]]));
    // In partition order; a later copy of a message (no sender of its own) is a replay whatever the store says.
    const fresh: BatchItem[] = [];
    const senders: ResolvedSender[] = [];
    const replays: BatchItem[] = [];
    for (const item of items) {
      const sender = senderOf.get(item);
      if (!sender || stored.has(item.messageId)) replays.push(item);
      else {
        fresh.push(item);
        senders.push(sender);
      }
    }
    // Per customer, in partition order.
    const byCustomer = new Map<string, { item: (typeof fresh)[number]; sender: ResolvedSender }[]>();
    senders.forEach((sender, index) => {
      const item = fresh[index];
      if (!item) return;
      const key = `${item.tenantId}|${sender.customerId}`;
      byCustomer.set(key, [...(byCustomer.get(key) ?? []), { item, sender }]);
    });

    const known = await this.conversationsOfLoneCustomers(byCustomer);
    const { opened, drained } = await this.openFirstConversations(byCustomer, known);
    // Customers are independent of each other: their threading runs side by side, each in partition order.
    const threadedGroups = await mapConcurrently(
      [...byCustomer.entries()],
      CUSTOMERS_IN_FLIGHT,
      async ([groupKey, group]) => {
        const grouped: {
          item: (typeof fresh)[number];
          threaded: Threaded;
          sender: ResolvedSender;
          entry: TimelineMessage;
        }[] = [];
        const [first] = group;
        if (!first) return grouped;
        const customers = first.sender.hasMergedCustomers
          ? await this.directory.membersOf(first.item.tenantId, first.sender.customerId)
          : [first.sender.customerId];
        let current: Threaded | undefined;
        for (const { item, sender } of group) {
          const threaded =
            current && !hasReferences(item.message)
              ? {
                  conversation: current.conversation,
                  action: 'appended' as const,
                  reason: 'the customer has this conversation open',
                }
              : (!current && opened.get(groupKey)) ||
                (await this.thread(
                  item.tenantId,
                  item.message,
                  sender,
                  customers,
                  item.messageId,
                  item.at,
                  // Read for the batch before any message of it was threaded: only the first may use it.
                  current ? undefined : known.get(groupKey),
                ));
          current = threaded;
          const entry = this.timelineEntry(
            item.tenantId,
            item.message,
            item.messageId,
            sender,
            threaded,
            item.at,
          );
          grouped.push({ item, threaded, sender, entry });
        }
        return grouped;
      },
    );
    const entries = threadedGroups.flat();

    const appended = await this.timeline.appendMany(entries.map(({ entry }) => entry));

    const emissions: {
      tenantId: string;
      causeId: string;
      events: ConversationEvent[];
      traceparent?: string;
    }[] = [];
    // One assignment attempt per conversation of the batch, side by side (capacity is guarded by the store).
    const toAssign = new Map<string, { conversation: Conversation; at: Date; justCreated: boolean }>();
    const assignments = new Map<string, ConversationEvent[]>();
    entries.forEach(({ threaded, item }, index) => {
      const { conversation, assignment } = threaded;
      if (appended[index] !== 'appended') return;
      if (assignment) assignments.set(conversation._id, [assignedEvent(assignment, conversation.customerId)]);
      else if (!toAssign.has(conversation._id) && !assignments.has(conversation._id))
        toAssign.set(conversation._id, {
          conversation,
          at: item.at,
          justCreated: threaded.action === 'created',
        });
    });
    const candidates = [...toAssign.values()];
    // Conversations this batch created are assigned together from one read of the agents; the others (reopened,
    // or still waiting when a new message came) one by one.
    const created = await this.assignment.assignCreated(
      candidates.filter(({ justCreated }) => justCreated).map(({ conversation }) => conversation),
      new Date(),
    );
    for (const [conversationId, assignment] of created) {
      const customerId = toAssign.get(conversationId)?.conversation.customerId ?? '';
      assignments.set(conversationId, assignment ? [assignedEvent(assignment, customerId)] : []);
    }
    const others = await mapConcurrently(
      candidates.filter(({ justCreated }) => !justCreated),
      CUSTOMERS_IN_FLIGHT,
      async ({ conversation, at }) =>
        [conversation._id, await this.assignIfWaiting(conversation, at)] as const,
    );
    for (const [conversationId, events] of others) assignments.set(conversationId, events);
    const assigned = new Set<string>();
    for (const [index, { item, threaded, sender, entry }] of entries.entries()) {
      if (appended[index] !== 'appended') {
        replays.push(item);
        continue;
      }
      const events: ConversationEvent[] = [];
      const base = {
        conversationId: threaded.conversation._id,
        customerId: threaded.conversation.customerId,
      };
      if (threaded.action === 'created') events.push(createdEvent(threaded.conversation));
      if (threaded.action === 'reopened') {
        events.push({
          ...base,
          kind: 'reopened',
          occurredAt: item.at.toISOString(),
          reason: threaded.reason,
        });
      }
      events.push(appendedEvent(entry));
      if (!assigned.has(threaded.conversation._id)) {
        assigned.add(threaded.conversation._id);
        events.push(...(assignments.get(threaded.conversation._id) ?? []));
      }
      if (sender.mergeSuggestion) {
        events.push({
          ...base,
          kind: 'customer.merge.suggested',
          occurredAt: item.at.toISOString(),
          candidateCustomerId: sender.mergeSuggestion.candidateCustomerId,
          evidence: [sender.mergeSuggestion.reason],
        });
      }
      emissions.push({
        tenantId: item.tenantId,
        causeId: item.messageId,
        events,
        traceparent: item.envelope.traceparent,
      });
    }
    // Conversations a refunded reservation went to (rare): each its own cause, as a drain's assignment.
    for (const { tenantId, assignment } of drained) {
      for (const event of await assignedEventsFor(this.conversations, tenantId, [assignment])) {
        const causeId = stableId('drained', tenantId, assignment.conversationId, assignment.agentId);
        emissions.push({ tenantId, causeId, events: [event] });
      }
    }
    await this.events.publishAll(emissions);
    for (const item of replays) {
      const message = await this.timeline.get(item.tenantId, item.messageId);
      if (!message) throw new Error(`message ${item.messageId} was reported stored but is not`);
      await this.replay(item.envelope, message);
    }
  }

  /**
   * The first conversations of the batch's lone customers whose first message starts one (no open or recent
   * conversation, no e-mail reference), opened together in a few round trips instead of two each. Those not created
   * (a replay, a concurrent open) are left out: their threading takes the one-by-one path, which finds out why.
   */
  private async openFirstConversations(
    byCustomer: ReadonlyMap<string, readonly { item: BatchItem; sender: ResolvedSender }[]>,
    known: ReadonlyMap<string, CustomerConversations>,
  ): Promise<{
    opened: Map<string, Threaded>;
    drained: { tenantId: string; assignment: Assignment }[];
  }> {
    const creations: { groupKey: string; conversation: Conversation; reason: string }[] = [];
    for (const [groupKey, [first]] of byCustomer) {
      const conversations = known.get(groupKey);
      if (!first || !conversations || first.sender.hasMergedCustomers || hasReferences(first.item.message))
        continue;
      const { item, sender } = first;
      const decision = decideThread({
        open: summary(conversations.open),
        lastResolved: summary(conversations.lastResolved),
        receivedAt: item.at,
        reopenWindowMs: this.config.reopenWindowMs(item.message.channel),
        ...(item.message.automated ? { automated: item.message.automated } : {}),
      });
      if (decision.action !== 'create') continue;
      const conversation = await this.newConversation(
        item.tenantId,
        item.message,
        sender.customerId,
        item.messageId,
        item.at,
      );
      creations.push({ groupKey, conversation, reason: decision.reason });
    }
    if (creations.length === 0) return { opened: new Map(), drained: [] };
    // Inserted with their agent when one has room: one write each instead of an insert and an assignment.
    const reserved = await this.assignment.reserveForNew(
      creations.map(({ conversation }) => conversation),
      new Date(),
    );
    for (const { conversation } of creations) {
      const assignment = reserved.get(conversation._id)?.assignment;
      if (!assignment) continue;
      conversation.assigneeId = assignment.agentId;
      conversation.waitingSince = null;
      conversation.assignedAt = assignment.assignedAt;
    }
    const created = await this.conversations.openMany(creations.map(({ conversation }) => conversation));
    const drained = await this.assignment.settleNew(reserved, created, new Date());
    const opened = new Map<string, Threaded>();
    for (const { groupKey, conversation, reason } of creations) {
      if (!created.has(conversation._id)) continue;
      const assignment = reserved.get(conversation._id)?.assignment;
      opened.set(groupKey, {
        conversation,
        action: 'created',
        reason,
        ...(assignment ? { assignment } : {}),
      });
    }
    return { opened, drained };
  }

  private async resolveSenders(
    items: readonly { tenantId: string; message: InboundMessage; at: Date }[],
  ): Promise<ResolvedSender[]> {
    if (items.length === 0) return [];
    try {
      return await this.directory.resolveSenders(
        items.map(({ tenantId, message, at }) => ({
          tenantId,
          channel: message.channel,
          address: message.from.address,
          ...(message.from.displayName ? { displayName: message.from.displayName } : {}),
          at,
        })),
      );
    } catch (error) {
      if (error instanceof IdentityResolutionError) throw new RejectedMessageError(error.code, error.message);
      throw error;
    }
  }

  /**
   * The conversations of the batch's customers that are each their group alone, read together (two reads for the
   * batch); the key is the batch's customer key (`tenant|customer`).
   */
  private async conversationsOfLoneCustomers(
    byCustomer: ReadonlyMap<string, readonly { item: { tenantId: string }; sender: ResolvedSender }[]>,
  ): Promise<Map<string, CustomerConversations>> {
    const byTenant = new Map<string, { key: string; customerId: string }[]>();
    for (const [key, [first]] of byCustomer) {
      if (!first || first.sender.hasMergedCustomers) continue;
      const tenant = byTenant.get(first.item.tenantId) ?? [];
      tenant.push({ key, customerId: first.sender.customerId });
      byTenant.set(first.item.tenantId, tenant);
    }
    const known = new Map<string, CustomerConversations>();
    for (const [tenantId, customers] of byTenant) {
      const answers = await this.conversations.conversationsOfLoneCustomers(
        tenantId,
        customers.map(({ customerId }) => customerId),
      );
      for (const { key, customerId } of customers) {
        const answer = answers.get(customerId);
        if (answer) known.set(key, answer);
      }
    }
    return known;
  }

  private async thread(
    tenantId: string,
    message: InboundMessage,
    sender: ResolvedSender,
    customers: readonly string[],
    messageId: string,
    at: Date,
    known?: CustomerConversations,
  ): Promise<Threaded> {
    const references = [message.threading?.inReplyTo, ...(message.threading?.references ?? [])].filter(
      (reference): reference is string => Boolean(reference),
    );
    const referencedId = await this.timeline.conversationOfEmail(tenantId, references);
    const [{ open, lastResolved }, referenced] = await Promise.all([
      known ?? this.conversations.conversationsOf(tenantId, customers),
      referencedId ? this.conversations.get(tenantId, referencedId) : Promise.resolve(null),
    ]);
    const decision = decideThread({
      open: summary(open),
      referenced: summary(referenced),
      lastResolved: summary(lastResolved),
      receivedAt: at,
      reopenWindowMs: this.config.reopenWindowMs(message.channel),
      ...(message.automated ? { automated: message.automated } : {}),
    });
    switch (decision.action) {
      case 'append': {
        const conversation = [open, referenced, lastResolved].find(
          (candidate) => candidate?._id === decision.conversationId,
        );
        if (!conversation) throw new Error(`threading chose unknown conversation ${decision.conversationId}`);
        return { conversation, action: 'appended', reason: decision.reason };
      }
      case 'reopen': {
        const reopened = await this.conversations.reopen(
          tenantId,
          decision.conversationId,
          sender.customerId,
          at,
        );
        if (reopened.status === 'reopened') {
          return { conversation: reopened.conversation, action: 'reopened', reason: decision.reason };
        }
        return {
          conversation: reopened.conversation,
          action: 'appended',
          reason: `${decision.reason}; joined the conversation that was opened meanwhile`,
        };
      }
      case 'create': {
        const created = await this.conversations.open(
          await this.newConversation(tenantId, message, sender.customerId, messageId, at),
        );
        if (created.status === 'created') {
          return { conversation: created.conversation, action: 'created', reason: decision.reason };
        }
        return {
          conversation: created.conversation,
          action: 'appended',
          reason: 'another message of the customer opened this conversation a moment earlier',
        };
      }
    }
  }

  private async newConversation(
    tenantId: string,
    message: InboundMessage,
    customerId: string,
    messageId: string,
    at: Date,
  ): Promise<Conversation> {
    const route = await this.routing.route({
      tenantId,
      channel: message.channel,
      text: [message.content.subject, message.content.text].filter(Boolean).join('\n'),
      customerTags: [],
      priority: DEFAULT_PRIORITY,
    });
    const targets = slaTargets(message.channel, DEFAULT_PRIORITY);
    const id = stableId('conversation', messageId);
    return {
      _id: id,
      tenantId,
      customerId,
      openKey: customerId,
      status: 'open',
      channel: message.channel,
      channelKind: channelKindOf(message.channel),
      queueId: route.queueId,
      routingReason: route.reason,
      tier: route.tier,
      priority: DEFAULT_PRIORITY,
      priorityRank: PRIORITY_RANK[DEFAULT_PRIORITY],
      assigneeId: null,
      waitingSince: at,
      createdByMessageId: messageId,
      firstResponseDueAt: new Date(at.getTime() + targets.firstResponseMs),
      resolutionDueAt: new Date(at.getTime() + targets.resolutionMs),
      slaBreaches: [],
      tiersVisited: [route.tier],
      resolvedAt: null,
      reopenCount: 0,
      transferCount: 0,
      createdAt: at,
    };
  }

  private timelineEntry(
    tenantId: string,
    message: InboundMessage,
    messageId: string,
    sender: ResolvedSender,
    threaded: Threaded,
    at: Date,
  ): TimelineMessage {
    return {
      _id: messageId,
      tenantId,
      conversationId: threaded.conversation._id,
      customerId: sender.customerId,
      direction: 'incoming',
      channel: message.channel,
      channelAccountId: message.channelAccountId,
      externalId: message.externalId,
      identityId: sender.identityId,
      from: message.from,
      content: message.content,
      ...(message.attachments ? { attachments: message.attachments } : {}),
      ...(message.threading?.messageId ? { emailMessageId: message.threading.messageId } : {}),
      ...(message.replyTo?.length ? { replyTo: message.replyTo } : {}),
      ...(message.automated ? { automated: message.automated } : {}),
      threadReason: threaded.reason,
      ...(message.sentAt ? { sentAt: new Date(message.sentAt) } : {}),
      ...timelinePlace(message, at),
    };
  }

  /** The stored message's events again (same ids), and the assignment it may not have reached before a crash. */
  private async replay(envelope: InboundEnvelope, stored: TimelineMessage): Promise<void> {
    const conversation = await this.conversations.get(envelope.tenantId, stored.conversationId);
    if (!conversation)
      throw new Error(`message ${stored._id} names missing conversation ${stored.conversationId}`);
    this.logger.debug(`replaying message ${stored._id}`);
    const events: ConversationEvent[] = [];
    const createdHere = conversation.createdByMessageId === stored._id;
    if (createdHere) events.push(createdEvent(conversation));
    events.push(appendedEvent(stored));
    // Inserted with its agent (an assignedAt equal to its creation) and not moved since: that `assigned` again.
    if (
      createdHere &&
      conversation.status === 'open' &&
      conversation.assigneeId !== null &&
      conversation.assignedAt?.getTime() === conversation.createdAt.getTime()
    ) {
      const birth = {
        conversationId: conversation._id,
        agentId: conversation.assigneeId,
        queueId: conversation.queueId,
        assignedAt: conversation.assignedAt,
      };
      events.push(assignedEvent(birth, conversation.customerId));
    } else {
      events.push(...(await this.assignIfWaiting(conversation, stored.createdAt)));
    }
    await this.events.publish(envelope.tenantId, stored._id, { events }, envelope.traceparent);
  }

  private async assignIfWaiting(conversation: Conversation, at: Date): Promise<ConversationEvent[]> {
    if (conversation.status !== 'open' || conversation.assigneeId !== null) return [];
    const assignment = await this.assignment.assign(conversation.tenantId, conversation._id, at);
    if (!assignment) return [];
    return [assignedEvent(assignment, conversation.customerId)];
  }
}

/** How much earlier than its receipt an e-mail's Date header may place it in the timeline (clocks, forged dates). */
const EMAIL_DATE_TRUST_MS = 7 * 24 * 60 * 60_000;

/** createdAt (the timeline position) and receivedAt of an inbound message; see TimelineMessage.createdAt. */
function timelinePlace(message: InboundMessage, at: Date): { createdAt: Date; receivedAt?: Date } {
  const written = message.channel === 'email' && message.sentAt ? new Date(message.sentAt) : undefined;
  if (!written || written >= at || at.getTime() - written.getTime() > EMAIL_DATE_TRUST_MS)
    return { createdAt: at };
  return { createdAt: written, receivedAt: at };
}

function hasReferences(message: InboundMessage): boolean {
  return Boolean(message.threading?.inReplyTo || message.threading?.references?.length);
}

function summary(conversation: Conversation | null): ConversationSummary | undefined {
  if (!conversation) return undefined;
  return {
    id: conversation._id,
    status: conversation.status,
    ...(conversation.resolvedAt ? { resolvedAt: conversation.resolvedAt } : {}),
  };
}
