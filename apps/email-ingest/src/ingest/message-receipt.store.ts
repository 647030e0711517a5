import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { findById, findByIds, isDuplicateKeyError } from '@ponte/persistence';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';

/**
 * - `claimed`: an ingestor is publishing it (until `leaseUntil`).
 * - `published`: Kafka has it; another copy (redelivery, second mailbox, UIDVALIDITY resync) is skipped.
 * - `sent`: our own reply, recorded before SMTP had it, so its copy coming back through IMAP is not ingested.
 */
export type ReceiptState = 'claimed' | 'published' | 'sent';

export interface MessageReceipt {
  /** `<tenant>/<normalized Message-ID>`. */
  _id: string;
  state: ReceiptState;
  leaseUntil?: Date;
  owner?: string;
  /** What a reply to this mail needs to continue its thread. */
  subject?: string;
  references?: string[];
  mailboxKey?: string;
  updatedAt: Date;
}

export type ReceiptClaim = 'claimed' | 'known' | 'in-flight';

/** One record per mail Message-ID and tenant, for deduplication across redeliveries, mailboxes and resyncs. */
@Injectable()
export class MessageReceiptStore {
  private readonly receipts: Collection<MessageReceipt>;
  constructor(@InjectConnection() connection: Connection) {
    this.receipts = connection.collection<MessageReceipt>('email_message_receipts');
  }

  async get(tenantId: string, messageId: string): Promise<MessageReceipt | null> {
    return findById<MessageReceipt>(this.receipts, receiptId(tenantId, messageId));
  }

  /** The ids among `messageIds` already published or sent (claims in flight are not "known"). */
  async known(tenantId: string, messageIds: readonly string[]): Promise<Set<string>> {
    const found = await findByIds<MessageReceipt>(
      this.receipts,
      messageIds.map((id) => receiptId(tenantId, id)),
    );
    const prefix = `${tenantId}/`;
    return new Set(
      found
        .filter((receipt) => receipt.state !== 'claimed')
        .map((receipt) => receipt._id.slice(prefix.length)),
    );
  }

  /**
   * `owner` is unique per attempt: a live claim of anyone else — another instance, or another mailbox of this one
   * holding the same mail — is waited for.
   */
  async claim(tenantId: string, messageId: string, leaseMs: number, owner: string): Promise<ReceiptClaim> {
    const id = receiptId(tenantId, messageId);
    const now = new Date();
    const claim: MessageReceipt = {
      _id: id,
      state: 'claimed',
      leaseUntil: new Date(now.getTime() + leaseMs),
      owner,
      updatedAt: now,
    };
    try {
      await this.receipts.insertOne(claim);
      return 'claimed';
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const existing = await findById<MessageReceipt>(this.receipts, id);
    if (existing && existing.state !== 'claimed') return 'known';
    if (existing && existing.leaseUntil && existing.leaseUntil > now) return 'in-flight';
    // A dead claimant's (or released): take over. A race here costs a duplicate, which the router drops.
    await this.receipts.replaceOne({ _id: id }, claim, { upsert: true });
    return 'claimed';
  }

  async markPublished(
    tenantId: string,
    messageId: string,
    details: Pick<MessageReceipt, 'subject' | 'references' | 'mailboxKey'>,
  ): Promise<void> {
    await this.receipts.replaceOne(
      { _id: receiptId(tenantId, messageId) },
      { state: 'published', ...definedOnly(details), updatedAt: new Date() },
      { upsert: true },
    );
  }

  /** Our own outgoing mail, recorded before it is handed to SMTP. */
  async recordSent(
    tenantId: string,
    messageId: string,
    details: Pick<MessageReceipt, 'subject' | 'references' | 'mailboxKey'>,
  ): Promise<void> {
    await this.receipts.replaceOne(
      { _id: receiptId(tenantId, messageId) },
      { state: 'sent', ...definedOnly(details), updatedAt: new Date() },
      { upsert: true },
    );
  }

  /** Gives up a failed attempt's claim at once, so the retry does not wait for its lease. */
  async release(tenantId: string, messageId: string, owner: string): Promise<void> {
    const id = receiptId(tenantId, messageId);
    const existing = await findById<MessageReceipt>(this.receipts, id);
    if (existing?.state === 'claimed' && existing.owner === owner) await this.receipts.deleteOne({ _id: id });
  }
}

function receiptId(tenantId: string, messageId: string): string {
  return `${tenantId}/${messageId}`;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
}
