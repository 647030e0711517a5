import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** How a key came to belong to its customer. */
export type KeyEvidence = 'first-contact' | 'verified-webchat' | 'agent';

/**
 * Cross-channel evidence (`phone:+5511987654321`, `email:…`) → the customer it belongs to. The unique `_id`
 * decides races without transactions: whoever inserts the key first names the customer, and every concurrent
 * first message on any channel carrying the same evidence reads that winner.
 */
@Schema({ collection: 'customer_keys', versionKey: false })
export class CustomerKey {
  /** `${tenantId}|${key}`. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  tenantId!: string;

  @Prop({ required: true })
  key!: string;

  @Prop({ required: true })
  customerId!: string;

  @Prop({ type: String, required: true })
  evidence!: KeyEvidence;

  /** The agent who linked it, for `agent` evidence. */
  @Prop()
  by?: string;

  @Prop({ type: Date, required: true })
  createdAt!: Date;
}

export const CustomerKeySchema = SchemaFactory.createForClass(CustomerKey);
CustomerKeySchema.index({ tenantId: 1, customerId: 1 }, { name: 'keys_of_customer' });
