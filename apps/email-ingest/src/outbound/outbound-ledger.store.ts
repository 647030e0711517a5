import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { claimOnce, findById, isDuplicateKeyError } from '@ponte/persistence';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';

/**
 * - `sending`: handed to SMTP (or we crashed while it was); the outcome is unknown.
 * - `retrying`: the last attempt was certainly refused (4xx, connection refused); nothing was sent.
 * - `sent`: the SMTP server accepted it.
 * - `failed`: refused for good, or given up.
 */
export type LedgerState = 'sending' | 'retrying' | 'sent' | 'failed';

export interface LedgerEntry {
  /** Our outbound message id: the idempotency key of the send. */
  _id: string;
  state: LedgerState;
  attempts: number;
  /** The Message-ID we gave the mail (normalized), recorded before the first attempt. */
  emailMessageId: string;
  from: string;
  to: string;
  /** The SMTP server's answer to the accepted mail. */
  response?: string;
  error?: { code: string; message: string; retryable: boolean };
  updatedAt: Date;
}

/** At most one send per outbound message id: `_id` = message id, written before and after each SMTP attempt. */
@Injectable()
export class OutboundLedgerStore {
  private readonly entries: Collection<LedgerEntry>;
  /** One document per attempt after the first, `_id` = `<messageId>|<attempt>`: its unique id decides who makes it. */
  private readonly attempts: Collection<{ _id: string; messageId: string; claimedAt: Date }>;

  constructor(@InjectConnection() connection: Connection) {
    this.entries = connection.collection<LedgerEntry>('email_outbound_ledger');
    this.attempts = connection.collection('email_outbound_ledger_attempts');
  }

  get(messageId: string): Promise<LedgerEntry | null> {
    return findById<LedgerEntry>(this.entries, messageId);
  }

  /** The first attempt; false when another consumer recorded the message first. */
  async start(
    entry: Omit<LedgerEntry, '_id' | 'updatedAt' | 'attempts' | 'state'> & { _id: string },
  ): Promise<boolean> {
    try {
      await this.entries.insertOne({ ...entry, state: 'sending', attempts: 1, updatedAt: new Date() });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /**
   * Claims attempt `attempt` (the second or later) of a reply; false when another consumer claimed it first (both
   * found it `retrying` after a rebalance): only one of them may hand it to SMTP again.
   */
  claimAttempt(messageId: string, attempt: number): Promise<boolean> {
    return claimOnce(this.attempts, `${messageId}|${attempt}`, { messageId });
  }

  async update(messageId: string, changes: Partial<Omit<LedgerEntry, '_id'>>): Promise<void> {
    await this.entries.updateOne({ _id: messageId }, { $set: { ...changes, updatedAt: new Date() } });
  }
}
