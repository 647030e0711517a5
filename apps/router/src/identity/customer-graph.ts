import { findById, findByIds } from '@ponte/persistence';
import { Injectable } from '@nestjs/common';
import type { Customer } from './customer.schema';
import { IdentityCollections } from './identity.collections';
import { UnknownCustomerError } from './identity.errors';
import { type ChainEnd, followMergeChains, MAX_MERGE_HOPS, type MergePointers } from './merge-chain';

export interface CustomerChain extends ChainEnd {
  /** Another customer was merged into the canonical one at some time (see Customer.mergeTarget). */
  canonicalIsMergeTarget: boolean;
}

export interface CustomerGroup {
  /** Canonical customer first, then every customer merged into it, level by level. */
  members: string[];
  /** How many merge levels hang below the canonical customer (0 when nothing is merged into it). */
  depth: number;
}

/** Reads the merge pointers between customers: canonical customers and the groups merged into them. */
@Injectable()
export class CustomerGraph {
  constructor(private readonly collections: IdentityCollections) {}

  /**
   * The chain end of each customer id. Without `tenantId` (a multi-tenant batch of ids read from the tenant's own
   * identities) the ids are trusted; with it, customers of other tenants count as unknown.
   */
  async chainsOf(customerIds: readonly string[], tenantId?: string): Promise<Map<string, CustomerChain>> {
    const targets = new Set<string>();
    const ends = await followMergeChains([...new Set(customerIds)], (ids) =>
      this.pointersOf(ids, tenantId, targets),
    );
    return new Map(
      [...ends].map(([id, end]) => [id, { ...end, canonicalIsMergeTarget: targets.has(end.canonicalId) }]),
    );
  }

  /** The canonical id of each customer, in order; throws UNKNOWN_CUSTOMER for any the tenant does not have. */
  async canonicalIdsOf(tenantId: string, customerIds: readonly string[]): Promise<string[]> {
    const chains = await this.chainsOf(customerIds, tenantId);
    return customerIds.map((customerId) => {
      const chain = chains.get(customerId);
      if (!chain?.known) throw new UnknownCustomerError(tenantId, customerId);
      return chain.canonicalId;
    });
  }

  async canonicalIdOf(tenantId: string, customerId: string): Promise<string> {
    const [canonicalId] = await this.canonicalIdsOf(tenantId, [customerId]);
    if (canonicalId === undefined) throw new UnknownCustomerError(tenantId, customerId);
    return canonicalId;
  }

  /**
   * Everyone merged (directly or through other merges) into a canonical customer: one bulk read per level, or a
   * single `_id` read for a customer nothing was ever merged into (the common case).
   */
  async groupOf(tenantId: string, canonicalId: string): Promise<CustomerGroup> {
    const canonical = await findById<Customer>(this.collections.customers, canonicalId, {
      tenantId,
      projection: { mergeTarget: 1 },
    });
    if (canonical && !canonical.mergeTarget) return { members: [canonicalId], depth: 0 };
    const members = [canonicalId];
    const seen = new Set(members);
    let frontier = [canonicalId];
    let depth = 0;
    while (depth < MAX_MERGE_HOPS) {
      const children = await this.collections.customers
        .find({ tenantId, mergedInto: { $in: frontier } }, { _id: 1 })
        .sort({ _id: 1 })
        .lean<Array<Pick<Customer, '_id'>>>()
        .exec();
      frontier = children.map((child) => child._id).filter((id) => !seen.has(id));
      if (frontier.length === 0) break;
      depth += 1;
      for (const id of frontier) {
        seen.add(id);
        members.push(id);
      }
    }
    return { members, depth };
  }

  private async pointersOf(
    customerIds: readonly string[],
    tenantId: string | undefined,
    mergeTargets: Set<string>,
  ): Promise<MergePointers> {
    const found = (
      await findByIds(this.collections.customers, customerIds, {
        projection: { mergedInto: 1, mergeTarget: 1, tenantId: 1 },
      })
    ).filter((customer) => tenantId === undefined || customer.tenantId === tenantId);
    for (const customer of found) if (customer.mergeTarget) mergeTargets.add(customer._id);
    return new Map(found.map((customer) => [customer._id, customer.mergedInto ?? null]));
  }
}
