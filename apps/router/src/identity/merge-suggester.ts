import { Injectable } from '@nestjs/common';
import { insertOnce } from '@ponte/persistence';
import { CustomerGraph } from './customer-graph';
import type { Customer } from './customer.schema';
import { foldDisplayName, isDistinctiveName } from './display-name';
import type { Channel } from '@ponte/contracts';
import type { CustomerKey } from './customer-key.schema';
import { customerKeyIdOf, type IdentityAddress, identityAddressOf, suggestionIdOf } from './identity-address';
import { IdentityResolutionError } from './identity.errors';
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

  /**
   * Weak evidence of another kind: the sender claims an address (a web chat visitor's unverified e-mail) that is the
   * evidence of an existing customer. A suggestion for agents, recorded once per pair; nothing is linked or merged.
   * An address the channel cannot have, or one nobody has, suggests nothing.
   */
  async suggestForClaim(claim: {
    tenantId: string;
    /** The sender's canonical customer. */
    customerId: string;
    channel: Channel;
    address: string;
    at: Date;
    /**
     * What raised the claim (a message and the claim's position in it): the suggestion is answered again to the same
     * cause, so a replay after a crash between recording it and announcing it still announces it.
     */
    causeId?: string;
  }): Promise<MergeSuggestion | undefined> {
    let claimed: IdentityAddress;
    try {
      claimed = identityAddressOf(claim.channel, claim.address);
    } catch (error) {
      if (error instanceof IdentityResolutionError) return undefined;
      throw error;
    }
    const key = await this.collections.keys
      .findOne({ _id: customerKeyIdOf(claim.tenantId, claimed.key) }, { customerId: 1 })
      .lean<Pick<CustomerKey, 'customerId'>>()
      .exec();
    if (!key) return undefined;
    const owner = await this.graph.canonicalIdOf(claim.tenantId, key.customerId);
    if (owner === claim.customerId) return undefined;
    return this.record(
      claim.tenantId,
      claim.customerId,
      owner,
      `claims the address ${claimed.address} of this customer without proof (${claim.channel}, not verified)`,
      claim.at,
      claim.causeId,
    );
  }

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

    return this.record(
      customer.tenantId,
      customer.customerId,
      candidate.canonicalId,
      `same display name "${customer.displayName?.trim()}" as a customer first seen on ${candidate.originChannel}`,
      customer.at,
    );
  }

  /** The suggestion, once per pair of customers: answered only when this call recorded it. */
  private async record(
    tenantId: string,
    customerId: string,
    candidateCustomerId: string,
    reason: string,
    at: Date,
    causeId?: string,
  ): Promise<MergeSuggestion | undefined> {
    const suggestionId = suggestionIdOf(tenantId, [customerId, candidateCustomerId]);
    const stored = await insertOnce(
      this.collections.suggestions,
      {
        _id: suggestionId,
        tenantId,
        customerId,
        candidateCustomerId,
        reason,
        createdAt: at,
        ...(causeId ? { causeId } : {}),
      },
      { _id: suggestionId },
    );
    if (stored.status === 'inserted') return { candidateCustomerId, reason };
    const existing = stored.document;
    if (!existing || causeId === undefined || existing.causeId !== causeId) return undefined;
    return { candidateCustomerId: existing.candidateCustomerId, reason: existing.reason };
  }
}
