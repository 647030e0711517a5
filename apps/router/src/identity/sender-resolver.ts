import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Channel } from '@ponte/contracts';
import { bulkWriteInChunks, findByIds, insertOnce } from '@ponte/persistence';
import { CustomerGraph } from './customer-graph';
import type { CustomerKey } from './customer-key.schema';
import { foldDisplayName } from './display-name';
import {
  assertTenantId,
  customerKeyIdOf,
  type IdentityAddress,
  identityAddressOf,
  identityIdOf,
} from './identity-address';
import { IdentityCollections, upsertRacing } from './identity.collections';
import { IdentityResolutionError } from './identity.errors';
import type { Identity } from './identity.schema';
import { type MergeSuggestion, MergeSuggester } from './merge-suggester';

/** Who sent an inbound message, as the adapter reported it. */
export interface SenderRef {
  tenantId: string;
  channel: Channel;
  /** As the provider gave it: `551187654321@c.us`, `+55 11 98765-4321`, `"Ana" <Ana@Example.COM>`… */
  address: string;
  displayName?: string;
  /** When the message was received: drives firstSeenAt / lastSeenAt. */
  at: Date;
}

export interface ResolvedSender {
  /** The canonical customer, after following merges: the one whose timeline the message joins. */
  customerId: string;
  identityId: string;
  /** True for exactly one caller: the one whose resolution created the customer. */
  customerCreated: boolean;
  /**
   * Set when other customers were merged into this one at some time: its group (CustomerDirectory.membersOf) may
   * have several members. Absent, the customer is its group alone.
   */
  hasMergedCustomers?: true;
  /** Weak evidence that the new customer is an existing one: for an agent to decide, never merged here. */
  mergeSuggestion?: MergeSuggestion;
}

interface SenderIdentity extends IdentityAddress {
  sender: SenderRef;
  identityId: string;
  displayName: string | undefined;
}

/** What the resolver knows of a stored identity: its customer never changes, lastSeenAt only moves forward. */
interface StoredIdentity {
  customerId: string;
  lastSeenAt?: Date;
  displayName?: string;
}

/** lastSeenAt is kept to this resolution: a sender's messages within it cost no write. */
export const LAST_SEEN_RESOLUTION_MS = 60_000;
/** Identities remembered by one router process (an identity's customer is fixed once it is stored). */
const REMEMBERED_IDENTITIES = 50_000;

interface Attached {
  customerId: string;
  customerCreated: boolean;
  mergeSuggestion?: MergeSuggestion;
}

/**
 * Turns senders into customers. Known identities (the hot path) cost one `_id` read each the first time this process
 * sees them (an identity's customer never changes, so it is remembered), a lastSeenAt write at most once a minute,
 * and one read per merge level. A new identity attaches in the order key → customer → identity, each step
 * idempotent, so a crash or a race at any point converges on the same customer.
 */
@Injectable()
export class SenderResolver {
  /** Least recently used first (a Map keeps insertion order; a hit is re-inserted). */
  private readonly remembered = new Map<string, StoredIdentity>();

  constructor(
    private readonly collections: IdentityCollections,
    private readonly graph: CustomerGraph,
    private readonly suggester: MergeSuggester,
  ) {}

  async resolve(senders: readonly SenderRef[]): Promise<ResolvedSender[]> {
    if (senders.length === 0) return [];
    // Every address is validated before the first write: a bad one rejects the batch and changes nothing.
    const items = senders.map((sender, index) =>
      senderIdentityOf(sender, senders.length > 1 ? index : undefined),
    );
    const known = await this.storedIdentities(items);
    const attached: Array<Attached | undefined> = [];
    // New identities are rare (a new contact) and attach one by one in input order, so duplicates within the
    // batch behave as if sent one after the other: the first creates, the next find it.
    for (const [index, item] of items.entries()) {
      if (known.has(item.identityId)) continue;
      const result = await this.attach(item);
      const stored = {
        customerId: result.customerId,
        lastSeenAt: item.sender.at,
        ...(item.displayName ? { displayName: item.displayName } : {}),
      };
      known.set(item.identityId, stored);
      this.remember(item.identityId, stored);
      attached[index] = result;
    }
    const customerIds = [...known.values()].map((stored) => stored.customerId);
    const [chains] = await Promise.all([this.graph.chainsOf(customerIds), this.touch(items, known)]);
    return items.map((item, index) => {
      const storedCustomerId = known.get(item.identityId)?.customerId ?? '';
      const result = attached[index];
      const chain = chains.get(storedCustomerId);
      return {
        customerId: chain?.canonicalId ?? storedCustomerId,
        ...(chain?.canonicalIsMergeTarget ? { hasMergedCustomers: true as const } : {}),
        identityId: item.identityId,
        customerCreated: result?.customerCreated ?? false,
        ...(result?.mergeSuggestion ? { mergeSuggestion: result.mergeSuggestion } : {}),
      };
    });
  }

  /** The stored identities among the items: remembered ones without a read, the others by `_id`. */
  private async storedIdentities(items: readonly SenderIdentity[]): Promise<Map<string, StoredIdentity>> {
    const known = new Map<string, StoredIdentity>();
    const unknown: string[] = [];
    for (const { identityId } of items) {
      const remembered = this.remembered.get(identityId);
      if (remembered) known.set(identityId, remembered);
      else unknown.push(identityId);
    }
    const stored = await findByIds(this.collections.identities, unknown, {
      projection: { customerId: 1, lastSeenAt: 1, displayName: 1 },
    });
    for (const identity of stored) {
      const entry = {
        customerId: identity.customerId,
        ...(identity.lastSeenAt ? { lastSeenAt: identity.lastSeenAt } : {}),
        ...(identity.displayName ? { displayName: identity.displayName } : {}),
      };
      known.set(identity._id, entry);
      this.remember(identity._id, entry);
    }
    return known;
  }

  private remember(identityId: string, stored: StoredIdentity): void {
    this.remembered.delete(identityId);
    this.remembered.set(identityId, stored);
    if (this.remembered.size <= REMEMBERED_IDENTITIES) return;
    const oldest = this.remembered.keys().next();
    if (!oldest.done) this.remembered.delete(oldest.value);
  }

  private async attach(item: SenderIdentity): Promise<Attached> {
    const { tenantId, at } = item.sender;
    const keyOwner = await this.keyOwner(item);
    const upserted = await upsertRacing(() =>
      this.collections.customers
        .updateOne(
          // A lone `_id` filter (see findById); the key that named this id is the tenant's own.
          { _id: keyOwner },
          {
            $setOnInsert: {
              tenantId,
              displayName: item.displayName ?? null,
              displayNameFolded: foldDisplayName(item.displayName) ?? null,
              originChannel: item.channel,
              tags: [],
              mergedInto: null,
              mergeTarget: false,
              mergeId: null,
              createdAt: at,
            },
          },
          { upsert: true },
        )
        .exec(),
    );
    const customerCreated = upserted.upsertedCount === 1;
    // Written last: an identity that exists always has its customer, which keeps the hot path to one read.
    const identity = await upsertRacing(() =>
      this.collections.identities
        .findOneAndUpdate(
          { _id: item.identityId },
          {
            $setOnInsert: {
              tenantId,
              customerId: keyOwner,
              channel: item.channel,
              address: item.address,
              kind: item.kind,
              firstSeenAt: at,
            },
            $max: { lastSeenAt: at },
            ...(item.displayName ? { $set: { displayName: item.displayName } } : {}),
          },
          { upsert: true, new: true },
        )
        .lean<Identity>()
        .exec(),
    );
    const customerId = identity?.customerId ?? keyOwner;
    const mergeSuggestion =
      customerCreated && item.kind === 'email'
        ? await this.suggester.suggestFor({ tenantId, customerId, displayName: item.displayName, at })
        : undefined;
    return { customerId, customerCreated, ...(mergeSuggestion ? { mergeSuggestion } : {}) };
  }

  /** The customer the sender's evidence belongs to; the first writer of the key names a new one. */
  private async keyOwner(item: SenderIdentity): Promise<string> {
    const { tenantId, at } = item.sender;
    const _id = customerKeyIdOf(tenantId, item.key);
    const existing = await this.collections.keys.findById(_id, { customerId: 1 }).lean<CustomerKey>().exec();
    if (existing) return existing.customerId;
    const claimed = await insertOnce(
      this.collections.keys,
      { _id, tenantId, key: item.key, customerId: randomUUID(), evidence: 'first-contact', createdAt: at },
      { _id },
    );
    if (!claimed.document) throw new Error(`customer key ${_id} vanished after a duplicate-key error`);
    return claimed.document.customerId;
  }

  /**
   * lastSeenAt only moves forward, so out-of-order messages and replays cannot set it back. It is written when it
   * moves by LAST_SEEN_RESOLUTION_MS or more, or the display name changes: a burst of messages costs no writes.
   */
  private async touch(
    items: readonly SenderIdentity[],
    known: ReadonlyMap<string, StoredIdentity>,
  ): Promise<void> {
    const latest = new Map<string, { at: Date; displayName: string | undefined }>();
    for (const item of items) {
      const previous = latest.get(item.identityId);
      if (previous && previous.at > item.sender.at) continue;
      latest.set(item.identityId, {
        at: item.sender.at,
        displayName: item.displayName ?? previous?.displayName,
      });
    }
    const changed = [...latest].filter(([identityId, seen]) => {
      const stored = known.get(identityId);
      const renamed = seen.displayName !== undefined && seen.displayName !== stored?.displayName;
      const moved =
        !stored?.lastSeenAt || seen.at.getTime() - stored.lastSeenAt.getTime() >= LAST_SEEN_RESOLUTION_MS;
      return renamed || moved;
    });
    if (changed.length === 0) return;
    const operations: Parameters<typeof this.collections.identities.bulkWrite>[0] = changed.map(
      ([identityId, seen]) => ({
        updateOne: {
          filter: { _id: identityId },
          update: {
            $max: { lastSeenAt: seen.at },
            // Also fills firstSeenAt of an identity linked before its first message.
            $min: { firstSeenAt: seen.at },
            ...(seen.displayName ? { $set: { displayName: seen.displayName } } : {}),
          },
        },
      }),
    );
    await bulkWriteInChunks(this.collections.identities, operations, { ordered: false });
    for (const [identityId, seen] of changed) {
      const stored = known.get(identityId);
      if (!stored) continue;
      const lastSeenAt = stored.lastSeenAt && stored.lastSeenAt > seen.at ? stored.lastSeenAt : seen.at;
      this.remember(identityId, {
        ...stored,
        lastSeenAt,
        ...(seen.displayName ? { displayName: seen.displayName } : {}),
      });
    }
  }
}

function senderIdentityOf(sender: SenderRef, batchIndex: number | undefined): SenderIdentity {
  try {
    assertTenantId(sender.tenantId, sender.channel, sender.address);
    const address = identityAddressOf(sender.channel, sender.address);
    const displayName = sender.displayName?.trim() || undefined;
    return { ...address, sender, identityId: identityIdOf(sender.tenantId, address), displayName };
  } catch (error) {
    if (error instanceof IdentityResolutionError && batchIndex !== undefined) {
      throw new IdentityResolutionError(error.code, error.channel, error.address, error.reason, batchIndex);
    }
    throw error;
  }
}
