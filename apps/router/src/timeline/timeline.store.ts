import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { findById, findByIds, insertManyOnce, isDuplicateKeyError } from '@ponte/persistence';
import {
  type AttachmentRef,
  type DeliveryState,
  deliveryStateRank,
  type MessageContent,
  type RevisionKind,
} from '@ponte/contracts';
import type { Model } from 'mongoose';
import { EmailMessageId, emailMessageIdKey } from './email-message-id.schema';
import { type MessageRevisionRecord, TimelineMessage } from './timeline-message.schema';

export type AppendResult =
  | { status: 'appended'; message: TimelineMessage }
  /** Stored before (a redelivery or a replay after a crash): nothing written, the stored one returned. */
  | { status: 'duplicate'; message: TimelineMessage };

export type ReviseResult =
  | { status: 'revised'; message: TimelineMessage }
  /** Applied before (a redelivery or a replay): nothing written, the stored message returned. */
  | { status: 'duplicate'; message: TimelineMessage }
  /** Older than the revision already applied, or the message is deleted: nothing written. */
  | { status: 'stale'; message: TimelineMessage }
  /** No incoming message has that id. */
  | { status: 'unknown' };

export interface RevisionChange {
  /** The revision's own stable id (what it would be as a message): applied at most once. */
  id: string;
  kind: RevisionKind;
  /** The new content of an edit; ignored for a deletion. */
  content: MessageContent;
  /** The attachments of an edit, when it carries any; otherwise the message keeps its own. */
  attachments?: AttachmentRef[];
  /** When the customer made the change, by the provider's clock. */
  at: Date;
}

@Injectable()
export class TimelineStore implements OnModuleInit {
  constructor(
    @InjectModel(TimelineMessage.name) private readonly model: Model<TimelineMessage>,
    @InjectModel(EmailMessageId.name) private readonly emailIds: Model<EmailMessageId>,
  ) {}

  /** The unique indexes carry the guarantees, so they must exist before the first write. */
  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  get(tenantId: string, messageId: string): Promise<TimelineMessage | null> {
    return findById(this.model, messageId, { tenantId });
  }

  /** Appends once; the unique provider key (or the deterministic id) turns a second append into "already have it". */
  async append(message: TimelineMessage): Promise<AppendResult> {
    try {
      await this.model.collection.insertOne(message as never);
      await this.recordEmailMessageIds([message]);
      return { status: 'appended', message };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const stored =
        (await this.get(message.tenantId, message._id)) ??
        (await this.model
          .findOne({
            tenantId: message.tenantId,
            channel: message.channel,
            channelAccountId: message.channelAccountId,
            externalId: message.externalId,
          })
          .lean<TimelineMessage>()
          .exec());
      if (!stored) throw error;
      return { status: 'duplicate', message: stored };
    }
  }

  /**
   * The conversation of the first of these Message-IDs (In-Reply-To first, then References) that a stored message
   * carries, compared normalized (see normalizeMessageId).
   */
  async conversationOfEmail(tenantId: string, messageIds: readonly string[]): Promise<string | null> {
    if (messageIds.length === 0) return null;
    const keys = messageIds.map((messageId) => emailMessageIdKey(tenantId, messageId));
    const found = new Map(
      (await findByIds(this.emailIds, keys, { tenantId })).map((entry) => [entry._id, entry.conversationId]),
    );
    for (const key of keys) {
      const conversationId = found.get(key);
      if (conversationId) return conversationId;
    }
    return null;
  }

  /**
   * The Message-ID the e-mail service sent an outgoing message with (its `sent` report): customers' answers name it
   * in In-Reply-To, so it must thread like the ids of inbound mail.
   */
  async recordSentEmailMessageId(message: TimelineMessage, messageId: string): Promise<void> {
    if (message.emailMessageId !== messageId) {
      await this.model.updateOne({ _id: message._id }, { $set: { emailMessageId: messageId } }).exec();
    }
    await this.recordEmailMessageIds([{ ...message, emailMessageId: messageId }]);
  }

  /** Indexes the Message-IDs of stored messages; one already indexed stays with its first conversation. */
  private async recordEmailMessageIds(messages: readonly TimelineMessage[]): Promise<void> {
    const entries = messages
      .filter((message) => message.emailMessageId)
      .map((message) => ({
        _id: emailMessageIdKey(message.tenantId, message.emailMessageId ?? ''),
        tenantId: message.tenantId,
        conversationId: message.conversationId,
        messageId: message._id,
      }));
    await insertManyOnce(this.emailIds, entries);
  }

  /** A conversation's timeline in order. */
  list(tenantId: string, conversationId: string): Promise<TimelineMessage[]> {
    return this.model
      .find({ tenantId, conversationId })
      .sort({ createdAt: 1, _id: 1 })
      .lean<TimelineMessage[]>()
      .exec();
  }

  /** The timelines of several conversations (a customer's history), oldest first. */
  listForConversations(tenantId: string, conversationIds: readonly string[]): Promise<TimelineMessage[]> {
    return this.model
      .find({ tenantId, conversationId: { $in: [...conversationIds] } })
      .sort({ createdAt: 1, _id: 1 })
      .lean<TimelineMessage[]>()
      .exec();
  }

  /** The customer's latest message in the conversation, on one channel or any: what a reply answers. */
  lastIncoming(tenantId: string, conversationId: string, channel?: string): Promise<TimelineMessage | null> {
    return this.model
      .findOne({ tenantId, conversationId, direction: 'incoming', ...(channel ? { channel } : {}) })
      .sort({ createdAt: -1 })
      .lean<TimelineMessage>()
      .exec();
  }

  /**
   * Moves an outgoing message's delivery state forward, never back: the update only matches while the stored rank
   * is lower. Null when nothing changed (an older or repeated report).
   */
  advanceDelivery(
    tenantId: string,
    messageId: string,
    update: { state: DeliveryState; providerMessageId?: string; error?: { code: string; message: string } },
  ): Promise<TimelineMessage | null> {
    return this.model
      .findOneAndUpdate(
        {
          _id: messageId,
          tenantId,
          direction: 'outgoing',
          deliveryStateRank: { $lt: deliveryStateRank[update.state] },
        },
        {
          $set: {
            deliveryState: update.state,
            deliveryStateRank: deliveryStateRank[update.state],
            ...(update.providerMessageId ? { providerMessageId: update.providerMessageId } : {}),
            ...(update.error ? { providerError: update.error } : {}),
          },
        },
        { new: true },
      )
      .lean<TimelineMessage>()
      .exec();
  }

  /**
   * Applies a customer's edit or deletion to their stored message, once: the earlier content is kept in
   * `revisions`, a deletion empties the content and attachments, and a deleted message stays deleted. An edit older
   * than the one applied (providers redeliver out of order) changes nothing.
   */
  async revise(tenantId: string, messageId: string, change: RevisionChange): Promise<ReviseResult> {
    const target = await this.get(tenantId, messageId);
    if (!target || target.direction !== 'incoming') return { status: 'unknown' };
    if (target.revisionIds?.includes(change.id)) return { status: 'duplicate', message: target };
    if (target.revision === 'deleted' || (target.revisedAt && change.at < target.revisedAt)) {
      return { status: 'stale', message: target };
    }
    const record: MessageRevisionRecord = {
      id: change.id,
      kind: change.kind,
      previousContent: target.content,
      ...(target.attachments ? { previousAttachments: target.attachments } : {}),
      at: change.at,
    };
    const deleted = change.kind === 'deleted';
    const updated = await this.model
      .findOneAndUpdate(
        { _id: messageId, tenantId, revisionIds: { $ne: change.id } },
        {
          $set: {
            content: deleted ? {} : change.content,
            revision: change.kind,
            revisedAt: change.at,
            ...(!deleted && change.attachments ? { attachments: change.attachments } : {}),
          },
          ...(deleted ? { $unset: { attachments: '' } } : {}),
          $push: { revisionIds: change.id, revisions: record },
        },
        { new: true },
      )
      .lean<TimelineMessage>()
      .exec();
    if (updated) return { status: 'revised', message: updated };
    const current = await this.get(tenantId, messageId);
    return current ? { status: 'duplicate', message: current } : { status: 'unknown' };
  }

  /** The stored ones among these message ids (indexed lookups, see findByIds). */
  async getMany(messageIds: readonly string[]): Promise<Set<string>> {
    const found = await findByIds(this.model, messageIds, { projection: { _id: 1 } });
    return new Set(found.map((message) => message._id));
  }

  /** appendMany in one round trip; per input, whether it was written or already stored. */
  async appendMany(messages: readonly TimelineMessage[]): Promise<('appended' | 'duplicate')[]> {
    const result = await insertManyOnce(this.model, [...messages]);
    const outcome: ('appended' | 'duplicate')[] = messages.map(() => 'appended');
    for (const index of result.duplicates) outcome[index] = 'duplicate';
    // Also for a replay: a crash may have come between the message and its Message-ID.
    await this.recordEmailMessageIds(messages);
    return outcome;
  }
}
