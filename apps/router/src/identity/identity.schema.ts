import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Channel } from '@ponte/contracts';
import type { IdentityKind } from './identity-address';
import type { KeyEvidence } from './customer-key.schema';

/** One address of a customer on one channel: where replies can go, and what agents see in the customer panel. */
@Schema({ collection: 'identities', versionKey: false })
export class Identity {
  /** `${tenantId}|${channel}|${address}` (see identityIdOf). */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  tenantId!: string;

  /** The customer it was attached to; lookups follow that customer's merges. Never rewritten by a merge. */
  @Prop({ required: true })
  customerId!: string;

  @Prop({ type: String, required: true })
  channel!: Channel;

  /** Normalized (E.164, e-mail with its domain lower-cased, `…@lid`, provider id). */
  @Prop({ required: true })
  address!: string;

  @Prop({ type: String, required: true })
  kind!: IdentityKind;

  /** The latest display name the channel gave (WhatsApp push name, e-mail From name…). */
  @Prop({ type: String })
  displayName?: string;

  /** Unset for an identity an agent or a verification linked before any message came from it. */
  @Prop({ type: Date })
  firstSeenAt?: Date;

  /** The latest message from it, to a one-minute resolution (see LAST_SEEN_RESOLUTION_MS). */
  @Prop({ type: Date })
  lastSeenAt?: Date;

  /** Why the identity belongs to its customer when that was not a first contact. */
  @Prop({ type: String })
  linkEvidence?: KeyEvidence;

  @Prop()
  linkedBy?: string;

  @Prop({ type: Date })
  linkedAt?: Date;
}

export const IdentitySchema = SchemaFactory.createForClass(Identity);
// Redundant with the `_id` today, but it states the design's uniqueness rule in the database itself.
IdentitySchema.index(
  { tenantId: 1, channel: 1, address: 1 },
  { unique: true, name: 'one_identity_per_address' },
);
IdentitySchema.index({ tenantId: 1, customerId: 1 }, { name: 'identities_of_customer' });
