import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { findById } from '@ponte/persistence';
import type { Collection, Filter } from 'mongodb';
import type { Connection } from 'mongoose';

export type QuarantineState = 'quarantined' | 'reprocessed';

export interface QuarantinedMail {
  /** `<mailbox key>/<UIDVALIDITY>/<UID>`: the same mail quarantined again overwrites its record. */
  _id: string;
  mailboxKey: string;
  uidValidity: string;
  uid: number;
  reason: string;
  /** Blob id of the raw mail (its first EMAIL_MESSAGE_MAX_BYTES when it was too large). */
  rawBlobId: string;
  /** Bytes stored in the blob. */
  size: number;
  /** The blob holds only the beginning of the mail: a reprocess fetches the whole mail from the server again. */
  truncated?: boolean;
  state: QuarantineState;
  quarantinedAt: Date;
  reprocessedAt?: Date;
  /** Normalized Message-ID of the message the reprocess published (or found already published). */
  messageId?: string;
  lastAttemptAt?: Date;
  /** Why the last reprocess attempt failed. */
  lastError?: string;
}

export interface QuarantinePageQuery {
  /** Only this mailbox's records (its `id` in EMAIL_MAILBOXES). */
  mailboxId?: string;
  state?: QuarantineState;
  /** The `_id` after which the page starts (the previous page's cursor). */
  after?: string;
  limit: number;
}

export interface QuarantinePage {
  mails: QuarantinedMail[];
  /** Where the next page starts; absent on the last page. */
  next?: string;
}

/** Mail that could not become a message, with the reason and the raw bytes, for an operator to reprocess. */
@Injectable()
export class QuarantineStore {
  private readonly mails: Collection<QuarantinedMail>;

  constructor(@InjectConnection() connection: Connection) {
    this.mails = connection.collection<QuarantinedMail>('email_quarantine');
  }

  async put(mail: Omit<QuarantinedMail, '_id' | 'state' | 'quarantinedAt'>): Promise<string> {
    const id = `${mail.mailboxKey}/${mail.uidValidity}/${mail.uid}`;
    await this.mails.replaceOne(
      { _id: id },
      { ...mail, state: 'quarantined', quarantinedAt: new Date() },
      { upsert: true },
    );
    return id;
  }

  get(id: string): Promise<QuarantinedMail | null> {
    return findById<QuarantinedMail>(this.mails, id);
  }

  /**
   * An operator's list, in `_id` order (mailbox, UIDVALIDITY, UID as text) and paged by `_id`, so a page never
   * repeats or skips a record when others are added meanwhile. Not on the ingest path.
   */
  async page(query: QuarantinePageQuery): Promise<QuarantinePage> {
    const range: { $gt?: string; $lt?: string } = {};
    // Ids are `<mailbox id>/…` and mailbox ids have no "/": one mailbox is the range between "<id>/" and "<id>0".
    if (query.mailboxId !== undefined)
      Object.assign(range, { $gt: `${query.mailboxId}/`, $lt: `${query.mailboxId}0` });
    if (query.after !== undefined && (range.$gt === undefined || query.after > range.$gt))
      range.$gt = query.after;
    const filter: Filter<QuarantinedMail> = {
      ...(Object.keys(range).length > 0 ? { _id: range } : {}),
      ...(query.state ? { state: query.state } : {}),
    };
    const found = await this.mails
      .find(filter)
      .sort({ _id: 1 })
      .limit(query.limit + 1)
      .toArray();
    const mails = found.slice(0, query.limit);
    const last = mails.at(-1);
    return { mails, ...(found.length > query.limit && last ? { next: last._id } : {}) };
  }

  async markReprocessed(id: string, messageId: string): Promise<void> {
    const now = new Date();
    await this.mails.updateOne(
      { _id: id },
      {
        $set: { state: 'reprocessed', reprocessedAt: now, lastAttemptAt: now, messageId },
        $unset: { lastError: '' },
      },
    );
  }

  /** A reprocess that did not get through: the record stays quarantined, its original reason kept. */
  async noteReprocessFailure(id: string, error: string): Promise<void> {
    await this.mails.updateOne({ _id: id }, { $set: { lastError: error, lastAttemptAt: new Date() } });
  }
}
