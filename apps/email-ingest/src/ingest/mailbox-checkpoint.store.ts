import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { findById } from '@ponte/persistence';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';

export interface MailboxCheckpoint {
  /** `<mailbox id>/<folder>`. */
  _id: string;
  /** As a string: IMAP's UIDVALIDITY is a 32-bit unsigned number that imapflow gives as a bigint. */
  uidValidity: string;
  /** Every UID up to this one is published, quarantined or known to be gone. */
  lastUid: number;
  updatedAt: Date;
}

/**
 * Where each mailbox's ingest stands, `_id` = mailbox key (FerretDB 1.24 serves only a lone `_id` filter from an
 * index). Advanced only after Kafka acknowledged the mail (or the quarantine stored it), so a crash replays from
 * the last acknowledged UID and never skips one.
 */
@Injectable()
export class MailboxCheckpointStore {
  private readonly checkpoints: Collection<MailboxCheckpoint>;

  constructor(@InjectConnection() connection: Connection) {
    this.checkpoints = connection.collection<MailboxCheckpoint>('email_mailbox_checkpoints');
  }

  get(mailboxKey: string): Promise<MailboxCheckpoint | null> {
    return findById<MailboxCheckpoint>(this.checkpoints, mailboxKey);
  }

  async save(mailboxKey: string, uidValidity: string, lastUid: number): Promise<void> {
    await this.checkpoints.replaceOne(
      { _id: mailboxKey },
      { uidValidity, lastUid, updatedAt: new Date() },
      { upsert: true },
    );
  }
}
