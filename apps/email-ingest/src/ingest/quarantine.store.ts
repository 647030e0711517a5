import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { findById } from '@ponte/persistence';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';

export interface QuarantinedMail {
  /** `<mailbox key>/<UIDVALIDITY>/<UID>`: the same mail quarantined again overwrites its record. */
  _id: string;
  mailboxKey: string;
  uidValidity: string;
  uid: number;
  reason: string;
  /** Blob id of the raw mail (its first EMAIL_MESSAGE_MAX_BYTES when it was too large). */
  rawBlobId: string;
  size: number;
  state: 'quarantined' | 'reprocessed';
  quarantinedAt: Date;
  reprocessedAt?: Date;
  /** Why the last reprocess attempt failed. */
  lastError?: string;
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

  /** All quarantined mail of a mailbox (an operator's list; not on the ingest path). */
  list(mailboxKey: string): Promise<QuarantinedMail[]> {
    return this.mails.find({ mailboxKey, state: 'quarantined' }).toArray();
  }

  async update(id: string, changes: Partial<Omit<QuarantinedMail, '_id'>>): Promise<void> {
    await this.mails.updateOne({ _id: id }, { $set: changes });
  }
}
