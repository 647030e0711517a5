import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type {
  AgentRef,
  AttachmentRef,
  AutomatedKind,
  Channel,
  ChannelAddress,
  DeliveryState,
  MessageContent,
  MessageDirection,
  RevisionKind,
} from '@ponte/contracts';

/** An earlier state of a message the customer edited or deleted, kept for agents and audits. */
export interface MessageRevisionRecord {
  /** The timeline id the revision would have as a message (stable per provider id): a replay finds it. */
  id: string;
  kind: RevisionKind;
  previousContent: MessageContent;
  previousAttachments?: AttachmentRef[];
  at: Date;
}

/**
 * One entry of a conversation's timeline: incoming, outgoing, private note or activity. Stored once: the unique key
 * (tenant, channel, channelAccountId, externalId) turns a redelivered inbound message into a no-op. Outgoing
 * messages and notes get `ponte:<messageId>` as externalId until the provider assigns one (`providerMessageId`),
 * because FerretDB has no partial indexes to exempt them.
 */
@Schema({ collection: 'messages', versionKey: false })
export class TimelineMessage {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  tenantId!: string;

  @Prop({ required: true })
  conversationId!: string;

  @Prop({ required: true })
  customerId!: string;

  @Prop({ type: String, required: true })
  direction!: MessageDirection;

  @Prop({ type: String, required: true })
  channel!: Channel | 'internal';

  @Prop({ required: true })
  channelAccountId!: string;

  @Prop({ required: true })
  externalId!: string;

  @Prop()
  identityId?: string;

  @Prop({ type: Object })
  from?: { address: string; displayName?: string };

  @Prop({ type: Object, required: true })
  content!: MessageContent;

  @Prop({ type: [Object], default: undefined })
  attachments?: AttachmentRef[];

  /** The e-mail Message-ID of this message, so a later reply (In-Reply-To / References) finds its conversation. */
  @Prop()
  emailMessageId?: string;

  /** E-mail Reply-To: where the customer asked answers to go. */
  @Prop({ type: [Object], default: undefined })
  replyTo?: ChannelAddress[];

  /** Set when a machine wrote the message (an auto-reply, a bounce). */
  @Prop({ type: String })
  automated?: AutomatedKind;

  /** The latest revision: `edited` (content is the edited text) or `deleted` (content emptied). */
  @Prop({ type: String })
  revision?: RevisionKind;

  /** When the latest applied revision was made; an older edit arriving late does not overwrite a newer one. */
  @Prop({ type: Date })
  revisedAt?: Date;

  /** Ids of the revisions applied (MessageRevisionRecord.id): the guard that applies each once. */
  @Prop({ type: [String], default: undefined })
  revisionIds?: string[];

  @Prop({ type: [Object], default: undefined })
  revisions?: MessageRevisionRecord[];

  @Prop({ type: Object })
  author?: AgentRef;

  @Prop({ type: String })
  deliveryState?: DeliveryState;

  /** deliveryStateRank of deliveryState: the guard that keeps statuses from going backwards. */
  @Prop()
  deliveryStateRank?: number;

  @Prop()
  providerMessageId?: string;

  @Prop({ type: Object })
  providerError?: { code: string; message: string };

  /** Why threading put the message in this conversation, shown to agents. */
  @Prop()
  threadReason?: string;

  @Prop({ type: Date })
  sentAt?: Date;

  /**
   * The message's place in the timeline (timelines are listed by it). When it arrived, except for an inbound
   * e-mail: its Date header, when that is earlier and at most EMAIL_DATE_TRUST_MS earlier, so a thread whose mails
   * were fetched out of order still reads in the order they were written.
   */
  @Prop({ type: Date, required: true })
  createdAt!: Date;

  /** When an inbound message reached Ponte, when it differs from createdAt. */
  @Prop({ type: Date })
  receivedAt?: Date;
}

export const TimelineMessageSchema = SchemaFactory.createForClass(TimelineMessage);
TimelineMessageSchema.index(
  { tenantId: 1, channel: 1, channelAccountId: 1, externalId: 1 },
  { unique: true, name: 'one_message_per_provider_id' },
);
TimelineMessageSchema.index({ tenantId: 1, conversationId: 1, createdAt: 1 });
