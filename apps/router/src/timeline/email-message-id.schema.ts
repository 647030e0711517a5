import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * An e-mail Message-ID → the conversation its message belongs to, for threading replies (In-Reply-To,
 * References). Kept apart from the messages so a reply costs `_id` lookups, not a query over the whole timeline
 * (which FerretDB answers by reading every message). Written for inbound mail as it is stored, and for our own
 * replies when the e-mail service reports the Message-ID it sent them with.
 */
@Schema({ collection: 'email_message_ids', versionKey: false })
export class EmailMessageId {
  /** `${tenantId}|${normalized Message-ID}` (see normalizeMessageId). */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  tenantId!: string;

  @Prop({ required: true })
  conversationId!: string;

  /** The timeline message that carries it. */
  @Prop({ required: true })
  messageId!: string;
}

export const EmailMessageIdSchema = SchemaFactory.createForClass(EmailMessageId);

/**
 * A Message-ID as both sides compare it: without angle brackets and surrounding space, lower-cased (mail clients
 * rewrite the case of the right-hand side; the e-mail service normalizes the same way).
 */
export function normalizeMessageId(messageId: string): string {
  return messageId.trim().replace(/^<+/, '').replace(/>+$/, '').trim().toLowerCase();
}

export function emailMessageIdKey(tenantId: string, messageId: string): string {
  return `${tenantId}|${normalizeMessageId(messageId)}`;
}
