import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** The record of one merge command, kept after a split: merges are reversible and audited (invariant 3). */
@Schema({ collection: 'customer_merges', versionKey: false })
export class CustomerMerge {
  /** `${tenantId}|${mergeId}`: a replayed command finds its own record. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  tenantId!: string;

  @Prop({ required: true })
  mergeId!: string;

  /** The canonical customer of the requested source: the one whose `mergedInto` this merge set. */
  @Prop({ required: true })
  sourceCustomerId!: string;

  /** The canonical customer of the requested target at merge time. */
  @Prop({ required: true })
  targetCustomerId!: string;

  /** As the agent asked; a replay with the same mergeId must name the same pair. */
  @Prop({ required: true })
  requestedSourceCustomerId!: string;

  @Prop({ required: true })
  requestedTargetCustomerId!: string;

  @Prop({ required: true })
  by!: string;

  @Prop({ type: Date, required: true })
  at!: Date;

  /** Null while the merge stands; the guarded update on it makes a second split a no-op. */
  @Prop({ type: Date, default: null })
  splitAt!: Date | null;

  @Prop({ type: String, default: null })
  splitBy!: string | null;
}

export const CustomerMergeSchema = SchemaFactory.createForClass(CustomerMerge);
CustomerMergeSchema.index({ tenantId: 1, sourceCustomerId: 1 }, { name: 'merges_of_source' });
CustomerMergeSchema.index({ tenantId: 1, targetCustomerId: 1 }, { name: 'merges_into_target' });
