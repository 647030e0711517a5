import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { insertManyOnce, isDuplicateKeyError } from '@ponte/persistence';
import type { Collection, Connection } from 'mongoose';

export const ASSIGNMENT_CLAIMS_COLLECTION = 'assignment_claims';

/** How long an attempt may hold a conversation before another may take over (the first router crashed). */
export const CLAIM_LEASE_MS = 30_000;

/** One assignment attempt in progress on one conversation. */
export interface AssignmentClaim {
  /** Random per attempt: releasing or taking over deletes exactly this claim, never a later one. */
  _id: string;
  tenantId: string;
  conversationId: string;
  /** Wall-clock start, for the lease. */
  at: Date;
}

/**
 * At most one assignment attempt per conversation, across router instances: a claim is a document whose unique
 * `(tenant, conversation)` key makes the second insert fail. Not a field on the conversation, because FerretDB 1.24
 * does not apply a guarded update atomically (two concurrent attempts would both see the field empty).
 */
@Injectable()
export class AssignmentClaims implements OnModuleInit {
  private readonly claims: Collection<AssignmentClaim>;

  constructor(@InjectConnection() connection: Connection) {
    this.claims = connection.collection<AssignmentClaim>(ASSIGNMENT_CLAIMS_COLLECTION);
  }

  async onModuleInit(): Promise<void> {
    await this.claims.createIndex(
      { tenantId: 1, conversationId: 1 },
      { unique: true, name: 'one_attempt_per_conversation' },
    );
  }

  /** Claims the conversation for this attempt and returns the claim's id; null while another live attempt has it. */
  async acquire(tenantId: string, conversationId: string, now: Date = new Date()): Promise<string | null> {
    const claimId = randomUUID();
    if (await this.insert({ _id: claimId, tenantId, conversationId, at: now })) return claimId;
    const current = await this.claims.findOne({ tenantId, conversationId });
    if (current && current.at.getTime() > now.getTime() - CLAIM_LEASE_MS) return null;
    // Expired, or released since the insert failed. Deleting by its id cannot remove a newer claim.
    if (current) await this.claims.deleteOne({ _id: current._id });
    return (await this.insert({ _id: claimId, tenantId, conversationId, at: now })) ? claimId : null;
  }

  /**
   * Claims many conversations in one round trip (conversations a batch just created: nobody else can have held them
   * long). Returns the claim id of each one claimed; one missing is held by another attempt (a drain) right now.
   */
  async acquireMany(
    tenantId: string,
    conversationIds: readonly string[],
    now: Date = new Date(),
  ): Promise<Map<string, string>> {
    const claims = conversationIds.map((conversationId) => ({
      _id: randomUUID(),
      tenantId,
      conversationId,
      at: now,
    }));
    const { inserted } = await insertManyOnce<AssignmentClaim>(this.claims, claims);
    return new Map(
      inserted.flatMap((index) => {
        const claim = claims[index];
        return claim ? [[claim.conversationId, claim._id] as const] : [];
      }),
    );
  }

  async releaseMany(claimIds: readonly string[]): Promise<void> {
    if (claimIds.length > 0) await this.claims.deleteMany({ _id: { $in: [...claimIds] } });
  }

  /** Which of these conversations an attempt is assigning now (a claim within its lease). */
  async liveFor(
    tenantId: string,
    conversationIds: readonly string[],
    now: Date = new Date(),
  ): Promise<Set<string>> {
    const live = await this.claims
      .find({
        tenantId,
        conversationId: { $in: [...conversationIds] },
        at: { $gt: new Date(now.getTime() - CLAIM_LEASE_MS) },
      })
      .toArray();
    return new Set(live.map((claim) => claim.conversationId));
  }

  async release(claimId: string): Promise<void> {
    await this.claims.deleteOne({ _id: claimId });
  }

  private async insert(claim: AssignmentClaim): Promise<boolean> {
    try {
      await this.claims.insertOne(claim);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}
