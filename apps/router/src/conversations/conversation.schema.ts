import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Channel, Priority, SupportTier } from '@ponte/contracts';
import type { ChannelKind } from '../shared/channel-kind';

export const PRIORITY_RANK: Readonly<Record<Priority, number>> = { low: 0, normal: 1, high: 2, urgent: 3 };

export type ConversationStatus = 'open' | 'resolved';

/** The structured intake a director registers before forwarding a case to N2/N3. */
export interface Intake {
  category: string;
  summary: string;
  triedSteps: string[];
  by: string;
  at: Date;
}

/**
 * A support case. `openKey` holds the customer id while the conversation is open and the conversation's own id
 * once it is resolved; its unique index makes "at most one open conversation per customer" a database guarantee
 * (FerretDB has no partial indexes, so this is the portable form).
 */
@Schema({ collection: 'conversations', versionKey: false })
export class Conversation {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  tenantId!: string;

  @Prop({ required: true })
  customerId!: string;

  @Prop({ required: true })
  openKey!: string;

  @Prop({ type: String, required: true })
  status!: ConversationStatus;

  /** The channel the case started on. */
  @Prop({ type: String, required: true })
  channel!: Channel;

  @Prop({ type: String, required: true })
  channelKind!: ChannelKind;

  @Prop({ required: true })
  queueId!: string;

  /** Why the routing rules chose the queue, shown to agents. */
  @Prop({ required: true })
  routingReason!: string;

  @Prop({ type: String, required: true })
  tier!: SupportTier;

  @Prop({ type: String, required: true })
  priority!: Priority;

  @Prop({ required: true })
  priorityRank!: number;

  @Prop({ type: String, default: null })
  assigneeId!: string | null;

  /** Set while the conversation needs an agent (from creation on); null while assigned. */
  @Prop({ type: Date, default: null })
  waitingSince!: Date | null;

  @Prop({ type: Date })
  assignedAt?: Date;

  /** The inbound message that opened it; a replay of that message re-emits `created`. */
  @Prop({ required: true })
  createdByMessageId!: string;

  @Prop({ type: Date, required: true })
  firstResponseDueAt!: Date;

  @Prop({ type: Date })
  firstRespondedAt?: Date;

  @Prop({ type: Date, required: true })
  resolutionDueAt!: Date;

  /** SLA kinds already reported as breached: each is emitted once. */
  @Prop({ type: [String], default: [] })
  slaBreaches!: string[];

  @Prop({ type: Object })
  intake?: Intake;

  /** Tiers that handled the case, in order (n1, then n2/n3 after escalations). */
  @Prop({ type: [String], default: [] })
  tiersVisited!: SupportTier[];

  @Prop({ type: Date, default: null })
  resolvedAt!: Date | null;

  @Prop({ type: String })
  resolvedByTier?: SupportTier;

  @Prop()
  resolvedBy?: string;

  /** Resolved on first contact: by tier 1, never transferred, escalated or reopened. */
  @Prop()
  fcr?: boolean;

  @Prop({ default: 0 })
  reopenCount!: number;

  @Prop({ default: 0 })
  transferCount!: number;

  @Prop({ type: Date, required: true })
  createdAt!: Date;
}

export const ConversationSchema = SchemaFactory.createForClass(Conversation);
ConversationSchema.index({ tenantId: 1, openKey: 1 }, { unique: true, name: 'one_open_per_customer' });
ConversationSchema.index({ tenantId: 1, customerId: 1, resolvedAt: -1 });
