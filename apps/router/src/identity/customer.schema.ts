import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Channel } from '@ponte/contracts';

/**
 * The person behind one or more identities. A merge only sets `mergedInto` (and the `mergeId` that set it), so a
 * split restores the customer exactly, without rewriting identities, conversations or messages.
 */
@Schema({ collection: 'customers', versionKey: false })
export class Customer {
  /** The customer id. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  tenantId!: string;

  @Prop({ type: String, default: null })
  displayName!: string | null;

  /** The display name folded for weak-evidence matching (see display-name.ts). */
  @Prop({ type: String, default: null })
  displayNameFolded!: string | null;

  /** The channel of the first message: merge suggestions pair customers first seen on different channels. */
  @Prop({ type: String, required: true })
  originChannel!: Channel;

  @Prop({ type: [String], default: [] })
  tags!: string[];

  /** The customer this one was merged into; lookups follow it to the canonical customer. */
  @Prop({ type: String, default: null })
  mergedInto!: string | null;

  /**
   * Set (and never cleared) when another customer is first merged into this one: a customer without it is alone
   * in its group, which the inbound path learns from one `_id` read instead of querying `mergedInto`.
   */
  @Prop({ default: false })
  mergeTarget!: boolean;

  /** The merge that set `mergedInto`: a split clears the pointer only if it is still that merge's. */
  @Prop({ type: String, default: null })
  mergeId!: string | null;

  @Prop({ type: Date, required: true })
  createdAt!: Date;
}

export const CustomerSchema = SchemaFactory.createForClass(Customer);
CustomerSchema.index({ tenantId: 1, mergedInto: 1 }, { name: 'merged_members' });
CustomerSchema.index({ tenantId: 1, displayNameFolded: 1 }, { name: 'folded_display_name' });
