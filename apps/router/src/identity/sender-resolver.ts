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
  /** Weak evidence that the new customer is an existing one: for an agent to decide, never merged here. */
  mergeSuggestion?: MergeSuggestion;
}

interface SenderIdentity extends IdentityAddress {
  sender: SenderRef;
  identityId: string;
  displayName: string | undefined;
}

interface Attached {
  customerId: string;
  customerCreated: boolean;
  mergeSuggestion?: MergeSuggestion;
}

/**
 * Turns senders into customers. Known identities (the hot path) cost one bulk read of the identities, one bulk
 * write of lastSeenAt and one bulk read per merge level. A new identity attaches in the order key → customer →
 * identity, each step idempotent, so a crash or a race at any point converges on the same customer.
 */
@Injectable()
export class SenderResolver {
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
    const known = await this.storedCustomerIds(items);
    const attached: Array<Attached | undefined> = [];
    // New identities are rare (a new contact) and attach one by one in input order, so duplicates within the
    // batch behave as if sent one after the other: the first creates, the next find it.
    for (const [index, item] of items.entries()) {
      if (known.has(item.identityId)) continue;
      const result = await this.attach(item);
      known.set(item.identityId, result.customerId);
      attached[index] = result;
    }
    const [chains] = await Promise.all([this.graph.chainsOf([...known.values()]), this.touch(items)]);
    return items.map((item, index) => {
      const storedCustomerId = known.get(item.identityId) ?? '';
      const result = attached[index];
      return {
        customerId: chains.get(storedCustomerId)?.canonicalId ?? storedCustomerId,
        identityId: item.identityId,
        customerCreated: result?.customerCreated ?? false,
        ...(result?.mergeSuggestion ? { mergeSuggestion: result.mergeSuggestion } : {}),
      };
    });
  }

  private async storedCustomerIds(items: readonly SenderIdentity[]): Promise<Map<string, string>> {
    const stored = await findByIds(
      this.collections.identities,
      items.map((item) => item.identityId),
      { customerId: 1 },
    );
    return new Map(stored.map((identity) => [identity._id, identity.customerId]));
  }

  private async attach(item: SenderIdentity): Promise<Attached> {
    const { tenantId, at } = item.sender;
    const keyOwner = await this.keyOwner(item);
    const upserted = await upsertRacing(() =>
      this.collections.customers
        .updateOne(
          { _id: keyOwner, tenantId },
          {
            $setOnInsert: {
              displayName: item.displayName ?? null,
              displayNameFolded: foldDisplayName(item.displayName) ?? null,
              originChannel: item.channel,
              tags: [],
              mergedInto: null,
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

  /** lastSeenAt only moves forward, so out-of-order messages and replays cannot set it back. */
  private async touch(items: readonly SenderIdentity[]): Promise<void> {
    const latest = new Map<string, { at: Date; displayName: string | undefined }>();
    for (const item of items) {
      const previous = latest.get(item.identityId);
      if (previous && previous.at > item.sender.at) continue;
      latest.set(item.identityId, {
        at: item.sender.at,
        displayName: item.displayName ?? previous?.displayName,
      });
    }
    const operations: Parameters<typeof this.collections.identities.bulkWrite>[0] = [...latest].map(
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
