import { Injectable } from '@nestjs/common';
import { insertOnce } from '@ponte/persistence';
import { CustomerGraph } from './customer-graph';
import type { Customer } from './customer.schema';
import { foldDisplayName, isDistinctiveName } from './display-name';
import { suggestionIdOf } from './identity-address';
import { IdentityCollections } from './identity.collections';

export interface MergeSuggestion {
  candidateCustomerId: string;
  /** Shown to the agent who decides. */
  reason: string;
}

// A common full name can match several customers; the oldest few are enough to pick one candidate.
const MAX_CANDIDATES = 5;

/**
 * Weak evidence (invariant 3): a customer just created from an e-mail whose display name equals — accents, case
 * and spacing aside, at least two words — that of an existing customer first seen on another channel may be the
 * same person. Only a suggestion is recorded, once per pair; nothing is merged. Deliberately narrow: e-mail is
 * where the same person most often reappears under a new address, and a name is all the evidence there is.
 */
@Injectable()
export class MergeSuggester {
  constructor(
    private readonly collections: IdentityCollections,
    private readonly graph: CustomerGraph,
  ) {}

  async suggestFor(customer: {
    tenantId: string;
    customerId: string;
    displayName: string | undefined;
    at: Date;
  }): Promise<MergeSuggestion | undefined> {
    const folded = foldDisplayName(customer.displayName);
    if (!folded || !isDistinctiveName(folded)) return undefined;
    const namesakes = await this.collections.customers
      .find(
        {
          tenantId: customer.tenantId,
          displayNameFolded: folded,
          originChannel: { $ne: 'email' },
          _id: { $ne: customer.customerId },
        },
        { originChannel: 1, createdAt: 1 },
      )
      .sort({ createdAt: 1, _id: 1 })
      .limit(MAX_CANDIDATES)
      .lean<Array<Pick<Customer, '_id' | 'originChannel'>>>()
      .exec();
    if (namesakes.length === 0) return undefined;
    const chains = await this.graph.chainsOf(
      namesakes.map((namesake) => namesake._id),
      customer.tenantId,
    );
    const candidate = namesakes
      .map((namesake) => ({
        ...namesake,
        canonicalId: chains.get(namesake._id)?.canonicalId ?? namesake._id,
      }))
      .find((namesake) => namesake.canonicalId !== customer.customerId);
    if (!candidate) return undefined;

    const suggestionId = suggestionIdOf(customer.tenantId, [customer.customerId, candidate.canonicalId]);
    const reason = `same display name "${customer.displayName?.trim()}" as a customer first seen on ${candidate.originChannel}`;
    const stored = await insertOnce(
      this.collections.suggestions,
      {
        _id: suggestionId,
        tenantId: customer.tenantId,
        customerId: customer.customerId,
        candidateCustomerId: candidate.canonicalId,
        reason,
        createdAt: customer.at,
      },
      { _id: suggestionId },
    );
    return stored.status === 'inserted' ? { candidateCustomerId: candidate.canonicalId, reason } : undefined;
  }
}
