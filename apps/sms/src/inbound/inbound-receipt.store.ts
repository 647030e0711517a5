import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { findById, isDuplicateKeyError } from '@ponte/persistence';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';

interface ReceiptDocument {
  /** The MessageSid. */
  _id: string;
  state: 'claimed' | 'published';
  /** Until then another request of the same message waits instead of publishing a second copy. */
  leaseUntil: Date;
  idempotencyToken?: string;
  claimedAt: Date;
  publishedAt?: Date;
}

export type ClaimOutcome = 'claimed' | 'published' | 'in-flight';

/**
 * Remembers which Twilio messages reached Kafka, keyed by `_id` = MessageSid (the only filter FerretDB 1.24 serves
 * from an index). A redelivery of a published message is answered without fetching media or publishing again; a
 * concurrent one waits for the first (a claim with a lease), so a crash of the first never leaves a message
 * acknowledged to Twilio but missing from Kafka.
 */
@Injectable()
export class InboundReceiptStore {
  private readonly receipts: Collection<ReceiptDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.receipts = connection.collection<ReceiptDocument>('twilio_inbound_receipts');
  }

  async claim(messageSid: string, leaseMs: number, idempotencyToken?: string): Promise<ClaimOutcome> {
    const now = new Date();
    const claim: ReceiptDocument = {
      _id: messageSid,
      state: 'claimed',
      leaseUntil: new Date(now.getTime() + leaseMs),
      claimedAt: now,
      ...(idempotencyToken ? { idempotencyToken } : {}),
    };
    try {
      await this.receipts.insertOne(claim);
      return 'claimed';
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const existing = await findById<ReceiptDocument>(this.receipts, messageSid);
    if (existing?.state === 'published') return 'published';
    if (existing && existing.leaseUntil > now) return 'in-flight';
    // The claimant died (or released it): take over. Two takers at once both publish, which the router dedupes.
    await this.receipts.replaceOne({ _id: messageSid }, claim, { upsert: true });
    return 'claimed';
  }

  async isPublished(messageSid: string): Promise<boolean> {
    return (await findById<ReceiptDocument>(this.receipts, messageSid))?.state === 'published';
  }

  async markPublished(messageSid: string): Promise<void> {
    await this.receipts.updateOne(
      { _id: messageSid },
      { $set: { state: 'published', publishedAt: new Date() } },
    );
  }

  /** Gives the message up after a failure, so Twilio's retry does not wait for the lease. */
  async release(messageSid: string): Promise<void> {
    // Read first and delete by the lone `_id` (see above); losing a race here only costs a harmless re-publish.
    if ((await findById<ReceiptDocument>(this.receipts, messageSid))?.state !== 'claimed') return;
    await this.receipts.deleteOne({ _id: messageSid });
  }
}
