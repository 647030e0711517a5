import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * Where a customer's conversations stand, read by `_id` on every inbound message instead of querying the
 * conversations (FerretDB 1.24 answers anything but a lone `_id` filter by reading the whole collection).
 *
 * Only a hint: the conversations and their unique `openKey` stay the truth. The document is written before the
 * customer's first conversation is inserted, so a missing one means "no conversations yet". `openConversationId`
 * is checked against the conversation it names before use (it may name one still being inserted, or one resolved
 * meanwhile); when it is wrong, opening a new conversation meets the unique index and joins the open one, and the
 * hint is written again. Every write is a plain `_id` update.
 */
@Schema({ collection: 'customer_threads', versionKey: false })
export class CustomerThread {
  /** `${tenantId}|${customerId}`. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  tenantId!: string;

  @Prop({ required: true })
  customerId!: string;

  @Prop({ type: String, default: null })
  openConversationId!: string | null;

  /** The customer's most recently resolved conversation (drives the reopen window). */
  @Prop({ type: String, default: null })
  lastResolvedConversationId!: string | null;
}

export const CustomerThreadSchema = SchemaFactory.createForClass(CustomerThread);

export function customerThreadIdOf(tenantId: string, customerId: string): string {
  return `${tenantId}|${customerId}`;
}
