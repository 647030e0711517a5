import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { claimOnce, insertOnce } from '@ponte/persistence';
import type { Collection } from 'mongodb';
import { CustomerGraph } from './customer-graph';
import type { CustomerMerge } from './customer-merge.schema';
import type { Customer } from './customer.schema';
import { assertTenantId, mergeRecordIdOf } from './identity-address';
import { IdentityCollections } from './identity.collections';
import { MergeConflictError, MergeRejectedError, UnknownMergeError } from './identity.errors';
import { MAX_MERGE_DEPTH } from './merge-chain';

/** How long a merge or split may hold its customers before another may take over (the router crashed). */
export const MERGE_LOCK_LEASE_MS = 30_000;
export const MERGE_LOCKS_COLLECTION = 'customer_merge_locks';
/** How long a merge or split waits for another one on the same customer. */
const MERGE_LOCK_WAIT_MS = 2_000;
const MERGE_LOCK_POLL_MS = 25;

interface MergeLock {
  /** `${tenantId}|${customerId}`. */
  _id: string;
  token: string;
  claimedAt: Date;
}

export interface MergeInput {
  tenantId: string;
  /** The command's idempotency key: a replay with the same id changes nothing. */
  mergeId: string;
  sourceCustomerId: string;
  targetCustomerId: string;
  /** The agent who judged the two customers to be one person. */
  by: string;
  at: Date;
}

export interface SplitInput {
  tenantId: string;
  mergeId: string;
  by: string;
  at: Date;
}

export interface MergeView {
  mergeId: string;
  /** The customer whose `mergedInto` was set: the canonical customer of the requested source. */
  sourceCustomerId: string;
  /** The canonical customer of the requested target when the merge was made. */
  targetCustomerId: string;
  requestedSourceCustomerId: string;
  requestedTargetCustomerId: string;
  by: string;
  at: Date;
  splitAt?: Date;
  splitBy?: string;
}

export interface MergeResult {
  status: 'merged' | 'already-merged';
  merge: MergeView;
}

export interface SplitResult {
  status: 'split' | 'already-split';
  merge: MergeView;
}

/**
 * Merge and split as reversible, recorded commands. A merge writes its record first, then points the source's
 * canonical customer at the target's; a split marks the record, then clears the pointer if it is still this
 * merge's. Every step is a guarded single-document write, so replays and crashes in between converge without
 * transactions (FerretDB has none).
 */
@Injectable()
export class CustomerMerger {
  private readonly locks: Collection<MergeLock>;

  constructor(
    private readonly collections: IdentityCollections,
    private readonly graph: CustomerGraph,
  ) {
    this.locks = collections.customers.db.collection<MergeLock>(MERGE_LOCKS_COLLECTION);
  }

  async merge(input: MergeInput): Promise<MergeResult> {
    assertTenantId(input.tenantId);
    const _id = mergeRecordIdOf(input.tenantId, input.mergeId);
    const recorded = await this.collections.merges.findById(_id).lean<CustomerMerge>().exec();
    if (recorded) return this.replay(recorded, input);

    const [source, target] = await this.graph.canonicalIdsOf(input.tenantId, [
      input.sourceCustomerId,
      input.targetCustomerId,
    ]);
    if (source === undefined || target === undefined) throw new Error('canonicalIdsOf answers every id');
    if (source === target) {
      throw new MergeRejectedError(
        'MERGE_INTO_SELF',
        `Customer ${input.sourceCustomerId} is already customer ${input.targetCustomerId} (canonical ${target}): ` +
          'a customer cannot be merged into itself or into a customer merged into it',
      );
    }
    // FerretDB rewrites whole documents, so a merge's writes on a customer (its pointer, its target mark) and another
    // merge's or split's on the same customer would undo each other: one merge or split per customer at a time.
    return this.withLocks(input.tenantId, [source, target], async () => {
      const now = await this.graph.canonicalIdsOf(input.tenantId, [
        input.sourceCustomerId,
        input.targetCustomerId,
      ]);
      if (now[0] !== source || now[1] !== target) {
        throw new MergeConflictError(
          `Customer ${input.sourceCustomerId} or ${input.targetCustomerId} was merged or split meanwhile; try again`,
        );
      }
      return this.mergeLocked(input, _id, source, target);
    });
  }

  private async mergeLocked(
    input: MergeInput,
    _id: string,
    source: string,
    target: string,
  ): Promise<MergeResult> {
    const { depth } = await this.graph.groupOf(input.tenantId, source);
    if (depth + 1 > MAX_MERGE_DEPTH) {
      throw new MergeRejectedError(
        'MERGE_TOO_DEEP',
        `Merging customer ${source} would nest merges ${depth + 1} levels deep (at most ${MAX_MERGE_DEPTH}); ` +
          'split an older merge of its group first',
      );
    }

    const record: CustomerMerge = {
      _id,
      tenantId: input.tenantId,
      mergeId: input.mergeId,
      sourceCustomerId: source,
      targetCustomerId: target,
      requestedSourceCustomerId: input.sourceCustomerId,
      requestedTargetCustomerId: input.targetCustomerId,
      by: input.by,
      at: input.at,
      splitAt: null,
      splitBy: null,
    };
    const inserted = await insertOnce(this.collections.merges, record, { _id });
    if (inserted.status === 'duplicate') {
      if (!inserted.document)
        throw new MergeConflictError(`Merge ${input.mergeId} was undone while it was being replayed`);
      return this.replay(inserted.document, input);
    }
    return { status: await this.apply(record), merge: viewOf(record) };
  }

  async split(input: SplitInput): Promise<SplitResult> {
    assertTenantId(input.tenantId);
    const _id = mergeRecordIdOf(input.tenantId, input.mergeId);
    const recorded = await this.collections.merges.findById(_id).lean<CustomerMerge>().exec();
    if (!recorded) throw new UnknownMergeError(input.tenantId, input.mergeId);
    return this.withLocks(input.tenantId, [recorded.sourceCustomerId], () =>
      this.splitLocked(input, _id, recorded),
    );
  }

  private async splitLocked(input: SplitInput, _id: string, recorded: CustomerMerge): Promise<SplitResult> {
    const marked = recorded.splitAt
      ? null
      : await this.collections.merges
          .findOneAndUpdate(
            { _id, splitAt: null },
            { $set: { splitAt: input.at, splitBy: input.by } },
            { new: true },
          )
          .lean<CustomerMerge>()
          .exec();
    // Also after an earlier split: a crash may have come between marking the record and clearing the pointer.
    const cleared = await this.collections.customers
      .updateOne(
        { _id: recorded.sourceCustomerId, tenantId: input.tenantId, mergeId: recorded.mergeId },
        { $set: { mergedInto: null, mergeId: null } },
      )
      .exec();
    const current =
      marked ?? (await this.collections.merges.findById(_id).lean<CustomerMerge>().exec()) ?? recorded;
    // Exactly one caller reports 'split': the one that marked the record, or the one finishing an interrupted split.
    const didSplit = marked !== null || (recorded.splitAt !== null && cleared.modifiedCount > 0);
    return { status: didSplit ? 'split' : 'already-split', merge: viewOf(current) };
  }

  /** The same command again: finish it if a crash interrupted it, report it otherwise. */
  private async replay(recorded: CustomerMerge, input: MergeInput): Promise<MergeResult> {
    if (
      recorded.requestedSourceCustomerId !== input.sourceCustomerId ||
      recorded.requestedTargetCustomerId !== input.targetCustomerId
    ) {
      throw new MergeRejectedError(
        'MERGE_ID_CONFLICT',
        `Merge ${input.mergeId} already merged customer ${recorded.requestedSourceCustomerId} into ` +
          `${recorded.requestedTargetCustomerId}; a new merge needs a new id`,
      );
    }
    // A split merge stays split: replaying the old command must not undo the agent's split.
    if (recorded.splitAt) return { status: 'already-merged', merge: viewOf(recorded) };
    return { status: await this.apply(recorded), merge: viewOf(recorded) };
  }

  /**
   * Points the source at the target. Guarded on `mergedInto: null`, so two merges of one source cannot both
   * apply; the loser's record is removed and it fails with MERGE_CONFLICT, leaving nothing behind.
   */
  private async apply(record: CustomerMerge): Promise<MergeResult['status']> {
    // Marked before the pointer is set, so whoever sees the pointer also sees the mark (see Customer.mergeTarget).
    await this.collections.customers
      .updateOne({ _id: record.targetCustomerId }, { $set: { mergeTarget: true } })
      .exec();
    const pointed = await this.collections.customers
      .updateOne(
        { _id: record.sourceCustomerId, tenantId: record.tenantId, mergedInto: null },
        { $set: { mergedInto: record.targetCustomerId, mergeId: record.mergeId } },
      )
      .exec();
    if (pointed.modifiedCount === 0) {
      const source = await this.collections.customers
        .findById(record.sourceCustomerId, { mergeId: 1 })
        .lean<Pick<Customer, 'mergeId'>>()
        .exec();
      if (source?.mergeId === record.mergeId) return 'already-merged';
      await this.discard(record);
      throw new MergeConflictError(
        `Customer ${record.sourceCustomerId} was merged by another command meanwhile; merge ${record.mergeId} was not applied`,
      );
    }
    // Two merges in opposite directions can each pass the checks before either writes: undo ours if they met.
    const chain = (await this.graph.chainsOf([record.sourceCustomerId], record.tenantId)).get(
      record.sourceCustomerId,
    );
    if (chain?.cycle) {
      await this.collections.customers
        .updateOne(
          { _id: record.sourceCustomerId, tenantId: record.tenantId, mergeId: record.mergeId },
          { $set: { mergedInto: null, mergeId: null } },
        )
        .exec();
      await this.discard(record);
      throw new MergeConflictError(
        `Customers ${record.sourceCustomerId} and ${record.targetCustomerId} were being merged into each other ` +
          `concurrently; merge ${record.mergeId} was not applied`,
      );
    }
    return 'merged';
  }

  /**
   * Runs `work` holding a lock on each customer: a document per customer whose unique `_id` lets one holder in (a
   * conditional update is not atomic on FerretDB 1.24). A merge holds its locks for a few writes, so a locked customer
   * is waited for up to MERGE_LOCK_WAIT_MS, then it is a MERGE_CONFLICT (the agent tries again). A lock held longer
   * than MERGE_LOCK_LEASE_MS is taken over (its holder crashed).
   */
  private async withLocks<T>(
    tenantId: string,
    customerIds: readonly string[],
    work: () => Promise<T>,
  ): Promise<T> {
    const token = randomUUID();
    const held: string[] = [];
    try {
      for (const customerId of [...new Set(customerIds)].sort()) {
        const id = `${tenantId}|${customerId}`;
        if (!(await this.lockWaiting(id, token))) {
          throw new MergeConflictError(
            `Customer ${customerId} is being merged or split by another command; try again`,
          );
        }
        held.push(id);
      }
      return await work();
    } finally {
      for (const id of held) await this.locks.deleteOne({ _id: id, token });
    }
  }

  private async lockWaiting(id: string, token: string): Promise<boolean> {
    const deadline = Date.now() + MERGE_LOCK_WAIT_MS;
    while (!(await this.lock(id, token))) {
      if (Date.now() >= deadline) return false;
      await delay(MERGE_LOCK_POLL_MS);
    }
    return true;
  }

  private async lock(id: string, token: string): Promise<boolean> {
    if (await claimOnce(this.locks, id, { token })) return true;
    const current = await this.locks.findOne({ _id: id });
    if (current && current.claimedAt.getTime() > Date.now() - MERGE_LOCK_LEASE_MS) return false;
    // Expired, or released since: deleting by its token cannot remove a newer lock.
    if (current) await this.locks.deleteOne({ _id: id, token: current.token });
    return claimOnce(this.locks, id, { token });
  }

  private async discard(record: CustomerMerge): Promise<void> {
    await this.collections.merges.deleteOne({ _id: record._id, splitAt: null }).exec();
  }
}

function viewOf(record: CustomerMerge): MergeView {
  return {
    mergeId: record.mergeId,
    sourceCustomerId: record.sourceCustomerId,
    targetCustomerId: record.targetCustomerId,
    requestedSourceCustomerId: record.requestedSourceCustomerId,
    requestedTargetCustomerId: record.requestedTargetCustomerId,
    by: record.by,
    at: record.at,
    ...(record.splitAt ? { splitAt: record.splitAt } : {}),
    ...(record.splitBy ? { splitBy: record.splitBy } : {}),
  };
}
