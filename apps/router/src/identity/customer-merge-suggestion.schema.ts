import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** Weak evidence that two customers are one person, for an agent to decide. Stored so each pair is suggested once. */
@Schema({ collection: 'customer_merge_suggestions', versionKey: false })
export class CustomerMergeSuggestion {
  /** `${tenantId}|${smaller id}|${larger id}` (see suggestionIdOf): unique per pair, in either order. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  tenantId!: string;

  /** The customer just created, whose first message raised the suggestion. */
  @Prop({ required: true })
  customerId!: string;

  /** The existing customer it may be. */
  @Prop({ required: true })
  candidateCustomerId!: string;

  @Prop({ required: true })
  reason!: string;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  /** What raised it, when the caller named it (see MergeSuggester.suggestForClaim). */
  @Prop({ type: String })
  causeId?: string;
}

export const CustomerMergeSuggestionSchema = SchemaFactory.createForClass(CustomerMergeSuggestion);
CustomerMergeSuggestionSchema.index({ tenantId: 1, customerId: 1 }, { name: 'suggestions_of_customer' });
CustomerMergeSuggestionSchema.index(
  { tenantId: 1, candidateCustomerId: 1 },
  { name: 'suggestions_of_candidate' },
);
