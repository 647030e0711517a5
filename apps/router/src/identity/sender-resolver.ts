import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Channel } from '@ponte/contracts';
import { bulkWriteInChunks, findByIds, insertManyOnce } from '@ponte/persistence';
import { CustomerGraph } from './customer-graph';
import { foldDisplayName } from './display-name';
import {
  assertTenantId,
  customerKeyIdOf,
  type IdentityAddress,
  identityAddressOf,
  identityIdOf,
} from './identity-address';
import { IdentityCollections } from './identity.collections';
import { IdentityResolutionError } from './identity.errors';
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
    const attached = await this.attachAll(items.filter((item) => !known.has(item.identityId)));
    for (const item of items) {
      const result = attached.get(item);
      if (!result || known.has(item.identityId)) continue;
      const stored = {
        customerId: result.customerId,
        lastSeenAt: item.sender.at,
        ...(item.displayName ? { displayName: item.displayName } : {}),
      };
      known.set(item.identityId, stored);
      this.remember(item.identityId, stored);
    }
    const customerIds = [...known.values()].map((stored) => stored.customerId);
    const [chains] = await Promise.all([this.graph.chainsOf(customerIds), this.touch(items, known)]);
    return items.map((item) => {
      const storedCustomerId = known.get(item.identityId)?.customerId ?? '';
      const result = attached.get(item);
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

  /**
   * Attaches new identities in a few bulk round trips whatever their number, in the order key → customer →
   * identity, each step idempotent, as attach() does for one. Within the batch the first item of a piece of evidence
   * creates (the one answered customerCreated) and the next ones find it, as if sent one after the other.
   */
  private async attachAll(items: readonly SenderIdentity[]): Promise<Map<SenderIdentity, Attached>> {
    const answers = new Map<SenderIdentity, Attached>();
    if (items.length === 0) return answers;
    const firstOfKey = new Map<string, SenderIdentity>();
    for (const item of items) {
      const keyId = customerKeyIdOf(item.sender.tenantId, item.key);
      if (!firstOfKey.has(keyId)) firstOfKey.set(keyId, item);
    }
    const owners = await this.keyOwners(firstOfKey);
    const ownerOf = (item: SenderIdentity): string => {
      const owner = owners.get(customerKeyIdOf(item.sender.tenantId, item.key));
      if (!owner) throw new Error(`customer key of ${item.identityId} has no owner`);
      return owner;
    };
    const created = await this.ensureCustomers(
      [...firstOfKey.values()].map((item) => ({ item, customerId: ownerOf(item) })),
    );
    // Written last: an identity that exists always has its customer, which keeps the hot path to one read.
    const firstOfIdentity = new Map<string, SenderIdentity>();
    for (const item of items)
      if (!firstOfIdentity.has(item.identityId)) firstOfIdentity.set(item.identityId, item);
    const identities = [...firstOfIdentity.values()];
    const written = await insertManyOnce(
      this.collections.identities,
      identities.map((item) => ({
        _id: item.identityId,
        tenantId: item.sender.tenantId,
        customerId: ownerOf(item),
        channel: item.channel,
        address: item.address,
        kind: item.kind,
        firstSeenAt: item.sender.at,
        lastSeenAt: item.sender.at,
        ...(item.displayName ? { displayName: item.displayName } : {}),
      })),
    );
    // Stored meanwhile by another message (another partition or instance): its customer is the stored one.
    const raced = new Map(
      (
        await findByIds(
          this.collections.identities,
          written.duplicates.map((index) => identities[index]?.identityId ?? ''),
          { projection: { customerId: 1 } },
        )
      ).map((identity) => [identity._id, identity.customerId]),
    );
    const announced = new Set<string>();
    for (const item of items) {
      const customerId = raced.get(item.identityId) ?? ownerOf(item);
      const customerCreated = created.has(customerId) && !announced.has(customerId);
      if (customerCreated) announced.add(customerId);
      const mergeSuggestion =
        customerCreated && item.kind === 'email'
          ? await this.suggester.suggestFor({
              tenantId: item.sender.tenantId,
              customerId,
              displayName: item.displayName,
              at: item.sender.at,
            })
          : undefined;
      answers.set(item, { customerId, customerCreated, ...(mergeSuggestion ? { mergeSuggestion } : {}) });
    }
    return answers;
  }

  /** The customer each piece of evidence belongs to (by customer key id); the first writer of a key names it. */
  private async keyOwners(firstOfKey: ReadonlyMap<string, SenderIdentity>): Promise<Map<string, string>> {
    const keyIds = [...firstOfKey.keys()];
    const stored = await findByIds(this.collections.keys, keyIds, { projection: { customerId: 1 } });
    const owners = new Map(stored.map((key) => [key._id, key.customerId]));
    const claims = keyIds
      .filter((keyId) => !owners.has(keyId))
      .map((keyId) => {
        const item = firstOfKey.get(keyId);
        if (!item) throw new Error(`no item for customer key ${keyId}`);
        return {
          _id: keyId,
          tenantId: item.sender.tenantId,
          key: item.key,
          customerId: randomUUID(),
          evidence: 'first-contact' as const,
          createdAt: item.sender.at,
        };
      });
    const claimed = await insertManyOnce(this.collections.keys, claims);
    for (const index of claimed.inserted) {
      const claim = claims[index];
      if (claim) owners.set(claim._id, claim.customerId);
    }
    const lost = claimed.duplicates.map((index) => claims[index]?._id ?? '');
    for (const key of await findByIds(this.collections.keys, lost, { projection: { customerId: 1 } })) {
      owners.set(key._id, key.customerId);
    }
    return owners;
  }

  /**
   * Makes sure every owner has its customer document; answers the customers this call created. A key claimed a
   * moment ago names a fresh id nobody else knows, so its customer is inserted; an older key's customer exists,
   * unless a crash came between its key and its customer, which an upsert repairs.
   */
  private async ensureCustomers(
    owners: readonly { item: SenderIdentity; customerId: string }[],
  ): Promise<Set<string>> {
    const created = new Set<string>();
    const byCustomer = new Map<string, SenderIdentity>();
    for (const { item, customerId } of owners)
      if (!byCustomer.has(customerId)) byCustomer.set(customerId, item);
    const existing = new Set(
      (await findByIds(this.collections.customers, [...byCustomer.keys()], { projection: { _id: 1 } })).map(
        (customer) => customer._id,
      ),
    );
    const missing = [...byCustomer].filter(([customerId]) => !existing.has(customerId));
    const inserted = await insertManyOnce(
      this.collections.customers,
      missing.map(([customerId, item]) => ({ _id: customerId, ...newCustomerFields(item) })),
    );
    for (const index of inserted.inserted) {
      const customerId = missing[index]?.[0];
      if (customerId) created.add(customerId);
    }
    return created;
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

/** A customer's fields at creation, from the message that created it. */
function newCustomerFields(item: SenderIdentity) {
  return {
    tenantId: item.sender.tenantId,
    displayName: item.displayName ?? null,
    displayNameFolded: foldDisplayName(item.displayName) ?? null,
    originChannel: item.channel,
    tags: [],
    mergedInto: null,
    mergeTarget: false,
    mergeId: null,
    createdAt: item.sender.at,
  };
}
