import { Injectable } from '@nestjs/common';
import type { Channel } from '@ponte/contracts';
import { CustomerGraph } from './customer-graph';
import {
  CustomerMerger,
  type MergeInput,
  type MergeResult,
  type SplitInput,
  type SplitResult,
} from './customer-merger';
import { assertTenantId, type IdentityKind } from './identity-address';
import { IdentityCollections } from './identity.collections';
import type { Identity } from './identity.schema';
import { IdentityLinker, type LinkIdentityInput, type LinkResult } from './identity-linker';
import { type MergeSuggestion, MergeSuggester } from './merge-suggester';
import { type ResolvedSender, SenderResolver, type SenderRef } from './sender-resolver';

/** One address of a customer, as agents see it and as a reply picks its channel. */
export interface IdentityView {
  identityId: string;
  /** The member of the customer group the identity is attached to (it moves back with that member on a split). */
  customerId: string;
  channel: Channel;
  address: string;
  kind: IdentityKind;
  displayName?: string;
  /** The last message from it; for an identity linked on evidence that has not written yet, when it was linked. */
  lastSeenAt: Date;
}

/**
 * The router's one entry point to customers and identities (invariant 3: one customer, one timeline). Strong
 * evidence (the same normalized phone on SMS and WhatsApp) joins identities automatically; weak evidence only
 * suggests a merge; merges and splits are agent commands that set or clear a pointer, so they are reversible.
 * Every answer names the canonical customer, whatever merges happened in between.
 */
@Injectable()
export class CustomerDirectory {
  constructor(
    private readonly collections: IdentityCollections,
    private readonly graph: CustomerGraph,
    private readonly resolver: SenderResolver,
    private readonly merger: CustomerMerger,
    private readonly linker: IdentityLinker,
    private readonly suggester: MergeSuggester,
  ) {}

  /**
   * The customer behind an inbound message's sender, created on first contact. Throws IdentityResolutionError
   * (INVALID_ADDRESS) for an address its channel cannot have, before writing anything.
   */
  async resolveSender(sender: SenderRef): Promise<ResolvedSender> {
    const [resolved] = await this.resolver.resolve([sender]);
    if (!resolved) throw new Error('the sender resolver answers every sender');
    return resolved;
  }

  /**
   * The batch form for consumers handling many messages at once: answers in input order; known senders cost a
   * few bulk reads whatever the batch size, and a sender repeated in the batch is one identity (created once). All
   * addresses are validated first: one invalid address rejects the batch (its `senderIndex` says which) unwritten.
   */
  resolveSenders(senders: readonly SenderRef[]): Promise<ResolvedSender[]> {
    return this.resolver.resolve(senders);
  }

  /** The customer whose timeline holds this one's messages now (itself unless merged). UNKNOWN_CUSTOMER otherwise. */
  canonicalCustomerId(tenantId: string, customerId: string): Promise<string> {
    assertTenantId(tenantId);
    return this.graph.canonicalIdOf(tenantId, customerId);
  }

  /**
   * The canonical customer first, then every customer merged into it: a timeline shows the conversations of them
   * all, because merges never rewrite conversations or messages.
   */
  async customerGroup(tenantId: string, customerId: string): Promise<string[]> {
    assertTenantId(tenantId);
    const canonicalId = await this.graph.canonicalIdOf(tenantId, customerId);
    return (await this.graph.groupOf(tenantId, canonicalId)).members;
  }

  /**
   * customerGroup for an id that is already canonical (as resolveSenders answers): skips following the merge
   * pointers again, so a customer nothing was merged into costs one `_id` read.
   */
  membersOf(tenantId: string, canonicalId: string): Promise<string[]> {
    assertTenantId(tenantId);
    return this.graph.groupOf(tenantId, canonicalId).then((group) => group.members);
  }

  /** Every identity of the customer's whole group, most recently seen first: the channels a reply can use. */
  async identitiesOf(tenantId: string, customerId: string): Promise<IdentityView[]> {
    const members = await this.customerGroup(tenantId, customerId);
    const identities = await this.collections.identities
      .find({ tenantId, customerId: { $in: members } })
      .lean<Identity[]>()
      .exec();
    return identities
      .map((identity) => ({
        identityId: identity._id,
        customerId: identity.customerId,
        channel: identity.channel,
        address: identity.address,
        kind: identity.kind,
        ...(identity.displayName ? { displayName: identity.displayName } : {}),
        lastSeenAt: identity.lastSeenAt ?? identity.linkedAt ?? identity.firstSeenAt ?? new Date(0),
      }))
      .sort(
        (a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime() || a.identityId.localeCompare(b.identityId),
      );
  }

  /** A claimed address (weak evidence) of another customer becomes a merge suggestion for agents; see MergeSuggester. */
  suggestForClaim(
    claim: Parameters<MergeSuggester['suggestForClaim']>[0],
  ): Promise<MergeSuggestion | undefined> {
    assertTenantId(claim.tenantId);
    return this.suggester.suggestForClaim(claim);
  }

  /**
   * An agent's merge: the source's canonical customer is pointed at the target's canonical customer. Idempotent by
   * mergeId ('already-merged' on a replay, even after a split). Typed refusals: UNKNOWN_CUSTOMER, MERGE_INTO_SELF
   * (the same customer, or one already merged into the other), MERGE_ID_CONFLICT, MERGE_TOO_DEEP, and the
   * retryable MERGE_CONFLICT when a concurrent merge of the same customer won.
   */
  merge(input: MergeInput): Promise<MergeResult> {
    return this.merger.merge(input);
  }

  /** Reverses one merge; the record stays, marked split. A second split reports 'already-split'. UNKNOWN_MERGE. */
  split(input: SplitInput): Promise<SplitResult> {
    return this.merger.split(input);
  }

  /**
   * Attaches an address (e.g. an e-mail a web-chat visitor verified) to an existing customer, so its messages join
   * that customer's timeline. An address that already belongs to another customer is reported as a conflict and
   * left where it is; joining the two is a merge.
   */
  linkVerifiedIdentity(input: LinkIdentityInput): Promise<LinkResult> {
    return this.linker.link(input);
  }
}
