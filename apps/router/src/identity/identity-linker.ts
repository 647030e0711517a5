import { Injectable } from '@nestjs/common';
import type { Channel } from '@ponte/contracts';
import { insertOnce } from '@ponte/persistence';
import { CustomerGraph } from './customer-graph';
import type { KeyEvidence } from './customer-key.schema';
import { assertTenantId, customerKeyIdOf, identityAddressOf, identityIdOf } from './identity-address';
import { IdentityCollections, upsertRacing } from './identity.collections';

/** Strong evidence that an address belongs to a customer, beyond sharing a normalized phone. */
export type LinkEvidence = Exclude<KeyEvidence, 'first-contact'>;

export interface LinkIdentityInput {
  tenantId: string;
  customerId: string;
  channel: Channel;
  address: string;
  displayName?: string;
  /** `verified-webchat`: the visitor proved the address (e-mail code, login); `agent`: an agent vouched for it. */
  evidence: LinkEvidence;
  /** The agent, for `agent` evidence. */
  by?: string;
  at: Date;
}

export type LinkResult =
  | { status: 'linked' | 'already-linked'; identityId: string; customerId: string }
  /**
   * The address already belongs to another customer (canonical `existingCustomerId`). Nothing was moved: taking an
   * identity away from a customer is a merge, which an agent decides and can undo.
   */
  | { status: 'conflict'; identityId: string; customerId: string; existingCustomerId: string };

/** Attaches an address to an existing customer on strong evidence (a verified web-chat identity, an agent). */
@Injectable()
export class IdentityLinker {
  constructor(
    private readonly collections: IdentityCollections,
    private readonly graph: CustomerGraph,
  ) {}

  async link(input: LinkIdentityInput): Promise<LinkResult> {
    assertTenantId(input.tenantId, input.channel, input.address);
    const address = identityAddressOf(input.channel, input.address);
    const canonicalId = await this.graph.canonicalIdOf(input.tenantId, input.customerId);
    const identityId = identityIdOf(input.tenantId, address);
    const keyId = customerKeyIdOf(input.tenantId, address.key);
    // The key goes to the customer named, not its canonical one: if its merge is split, the address stays with it.
    const claimed = await insertOnce(
      this.collections.keys,
      {
        _id: keyId,
        tenantId: input.tenantId,
        key: address.key,
        customerId: input.customerId,
        evidence: input.evidence,
        ...(input.by ? { by: input.by } : {}),
        createdAt: input.at,
      },
      { _id: keyId },
    );
    const ownerId = claimed.document?.customerId;
    if (!ownerId) throw new Error(`customer key ${keyId} vanished after a duplicate-key error`);
    if (claimed.status === 'duplicate') {
      const ownerCanonicalId = await this.graph.canonicalIdOf(input.tenantId, ownerId);
      if (ownerCanonicalId !== canonicalId) {
        return {
          status: 'conflict',
          identityId,
          customerId: canonicalId,
          existingCustomerId: ownerCanonicalId,
        };
      }
    }
    const displayName = input.displayName?.trim();
    await upsertRacing(() =>
      this.collections.identities
        .updateOne(
          { _id: identityId },
          {
            $setOnInsert: {
              tenantId: input.tenantId,
              customerId: ownerId,
              channel: address.channel,
              address: address.address,
              kind: address.kind,
              linkEvidence: input.evidence,
              ...(input.by ? { linkedBy: input.by } : {}),
              linkedAt: input.at,
              ...(displayName ? { displayName } : {}),
            },
          },
          { upsert: true },
        )
        .exec(),
    );
    return {
      status: claimed.status === 'inserted' ? 'linked' : 'already-linked',
      identityId,
      customerId: canonicalId,
    };
  }
}
