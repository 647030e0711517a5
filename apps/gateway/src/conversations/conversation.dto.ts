import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type Channel, PRIORITIES, type Priority } from '@ponte/contracts';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { RequestValidationError } from '../http/problem.error';
import type {
  ConversationRecord,
  CustomerRecord,
  IdentityRecord,
  MergeSuggestionRecord,
  MessageRecord,
  QueueRecord,
} from './router-read.model';
import { PageLimit } from '../http/page-limit.decorator';

export const SLA_STATES = ['ok', 'due-soon', 'breached'] as const;
export type SlaState = (typeof SLA_STATES)[number];

const CURSOR = /^[A-Za-z0-9_-]{1,512}$/;

class PageQuery {
  @PageLimit()
  limit?: number;

  @ApiPropertyOptional({ description: 'The `next` of the previous page' })
  @IsOptional()
  @IsString()
  @Matches(CURSOR, { message: '$property must be the `next` of a previous page' })
  cursor?: string;
}

export class ListConversationsQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(256)
  queueId?: string;

  @ApiPropertyOptional({ enum: ['open', 'resolved'] })
  @IsOptional()
  @IsIn(['open', 'resolved'])
  status?: 'open' | 'resolved';

  @ApiPropertyOptional({ description: '`me`, `none` (unassigned) or an agent id' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  assignee?: string;

  @ApiPropertyOptional({ enum: PRIORITIES })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: Priority;

  @ApiPropertyOptional({
    enum: ['breached', 'due-soon'],
    description: 'Open conversations past an SLA deadline, or within GATEWAY_SLA_DUE_SOON_MINUTES of one',
  })
  @IsOptional()
  @IsIn(['breached', 'due-soon'])
  sla?: 'breached' | 'due-soon';
}

export class TimelineQuery extends PageQuery {}

export class MergeCandidatesQuery {
  @PageLimit()
  limit?: number;
}

export class SlaView {
  @ApiProperty({ enum: SLA_STATES })
  state!: SlaState;

  @ApiProperty({ format: 'date-time' })
  firstResponseDueAt!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  firstRespondedAt?: string;

  @ApiProperty({ format: 'date-time' })
  resolutionDueAt!: string;

  @ApiProperty({ type: [String], description: 'SLA kinds the router reported breached' })
  breaches!: string[];
}

export class ConversationView {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  customerId!: string;

  @ApiProperty({ enum: ['open', 'resolved'] })
  status!: 'open' | 'resolved';

  @ApiProperty()
  channel!: Channel;

  @ApiProperty()
  queueId!: string;

  @ApiProperty()
  tier!: string;

  @ApiProperty({ enum: PRIORITIES })
  priority!: Priority;

  @ApiProperty({ type: String, nullable: true })
  assigneeId!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'Set while it waits for an agent',
  })
  waitingSince!: string | null;

  @ApiPropertyOptional()
  routingReason?: string;

  @ApiProperty({ type: SlaView })
  sla!: SlaView;

  @ApiPropertyOptional({ type: Object })
  intake?: { category: string; summary: string; triedSteps: string[]; by: string; at: string };

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  resolvedAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class ConversationListView {
  @ApiProperty({ type: [ConversationView] })
  conversations!: ConversationView[];

  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page; absent on the last page' })
  next?: string;
}

export class MessageView {
  @ApiProperty()
  messageId!: string;

  @ApiProperty()
  conversationId!: string;

  @ApiProperty({ enum: ['incoming', 'outgoing', 'note', 'activity'] })
  direction!: string;

  @ApiPropertyOptional({ description: 'Absent for notes and activities' })
  channel?: Channel;

  @ApiPropertyOptional()
  identityId?: string;

  @ApiPropertyOptional({ type: Object })
  from?: { address: string; displayName?: string };

  @ApiProperty({ type: Object })
  content!: MessageRecord['content'];

  @ApiPropertyOptional({ type: [Object] })
  attachments?: MessageRecord['attachments'];

  @ApiPropertyOptional({ type: Object })
  author?: MessageRecord['author'];

  @ApiPropertyOptional({ enum: ['queued', 'sent', 'delivered', 'read', 'failed'] })
  deliveryState?: string;

  @ApiPropertyOptional({ type: Object })
  providerError?: { code: string; message: string };

  @ApiPropertyOptional()
  automated?: string;

  @ApiPropertyOptional({ enum: ['edited', 'deleted'] })
  revision?: string;

  @ApiPropertyOptional({ type: [Object], description: 'Earlier states of an edited or deleted message' })
  revisions?: { kind: string; previousContent: MessageRecord['content']; at: string }[];

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class TimelinePageView {
  @ApiProperty({ type: [MessageView] })
  messages!: MessageView[];

  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page; absent on the last page' })
  next?: string;
}

export class ConversationDetailView {
  @ApiProperty({ type: ConversationView })
  conversation!: ConversationView;

  @ApiProperty({ type: TimelinePageView })
  timeline!: TimelinePageView;
}

export class IdentityView {
  @ApiProperty()
  identityId!: string;

  @ApiProperty()
  customerId!: string;

  @ApiProperty()
  channel!: Channel;

  @ApiProperty()
  address!: string;

  @ApiPropertyOptional()
  displayName?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  lastSeenAt?: string;
}

export class CustomerSummaryView {
  @ApiProperty()
  id!: string;

  @ApiProperty({ type: String, nullable: true })
  displayName!: string | null;

  @ApiProperty()
  originChannel!: Channel;

  @ApiProperty({ type: [String] })
  tags!: string[];

  @ApiProperty({
    type: [String],
    description: 'Customers merged into this one (their timelines are included)',
  })
  mergedCustomerIds!: string[];

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class CustomerView {
  @ApiProperty({ type: CustomerSummaryView })
  customer!: CustomerSummaryView;

  @ApiProperty({ type: [IdentityView] })
  identities!: IdentityView[];

  @ApiProperty({ type: [ConversationView], description: 'Those you may see, newest first' })
  conversations!: ConversationView[];

  @ApiProperty({ type: TimelinePageView, description: 'Messages of those conversations, oldest first' })
  timeline!: TimelinePageView;
}

export class QueueView {
  @ApiProperty()
  queueId!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  kind!: string;

  @ApiProperty()
  tier!: string;

  @ApiProperty({ type: [String] })
  skills!: string[];
}

export class MergeCandidateView {
  @ApiProperty()
  customerId!: string;

  @ApiProperty()
  candidateCustomerId!: string;

  @ApiProperty()
  reason!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export function slaStateOf(conversation: ConversationRecord, now: Date, dueSoonMs: number): SlaState {
  const breaches = conversation.slaBreaches ?? [];
  if (conversation.status !== 'open') return breaches.length > 0 ? 'breached' : 'ok';
  const deadlines = [
    ...(conversation.firstRespondedAt ? [] : [conversation.firstResponseDueAt]),
    conversation.resolutionDueAt,
  ].map((deadline) => new Date(deadline).getTime());
  if (breaches.length > 0 || deadlines.some((deadline) => deadline <= now.getTime())) return 'breached';
  return deadlines.some((deadline) => deadline <= now.getTime() + dueSoonMs) ? 'due-soon' : 'ok';
}

const iso = (date: Date | string): string => new Date(date).toISOString();

export function conversationView(
  conversation: ConversationRecord,
  now: Date,
  dueSoonMs: number,
): ConversationView {
  return {
    id: conversation._id,
    customerId: conversation.customerId,
    status: conversation.status,
    channel: conversation.channel,
    queueId: conversation.queueId,
    tier: conversation.tier,
    priority: conversation.priority,
    assigneeId: conversation.assigneeId ?? null,
    waitingSince: conversation.waitingSince ? iso(conversation.waitingSince) : null,
    ...(conversation.routingReason ? { routingReason: conversation.routingReason } : {}),
    sla: {
      state: slaStateOf(conversation, now, dueSoonMs),
      firstResponseDueAt: iso(conversation.firstResponseDueAt),
      ...(conversation.firstRespondedAt ? { firstRespondedAt: iso(conversation.firstRespondedAt) } : {}),
      resolutionDueAt: iso(conversation.resolutionDueAt),
      breaches: conversation.slaBreaches ?? [],
    },
    ...(conversation.intake ? { intake: { ...conversation.intake, at: iso(conversation.intake.at) } } : {}),
    resolvedAt: conversation.resolvedAt ? iso(conversation.resolvedAt) : null,
    createdAt: iso(conversation.createdAt),
  };
}

export function messageView(message: MessageRecord): MessageView {
  return {
    messageId: message._id,
    conversationId: message.conversationId,
    direction: message.direction,
    ...(message.channel === 'internal' ? {} : { channel: message.channel }),
    ...(message.identityId ? { identityId: message.identityId } : {}),
    ...(message.from ? { from: message.from } : {}),
    content: message.content,
    ...(message.attachments ? { attachments: message.attachments } : {}),
    ...(message.author ? { author: message.author } : {}),
    ...(message.deliveryState ? { deliveryState: message.deliveryState } : {}),
    ...(message.providerError ? { providerError: message.providerError } : {}),
    ...(message.automated ? { automated: message.automated } : {}),
    ...(message.revision ? { revision: message.revision } : {}),
    ...(message.revisions
      ? {
          revisions: message.revisions.map((revision) => ({
            kind: revision.kind,
            previousContent: revision.previousContent,
            at: iso(revision.at),
          })),
        }
      : {}),
    createdAt: iso(message.createdAt),
  };
}

export function identityView(identity: IdentityRecord): IdentityView {
  const lastSeen = identity.lastSeenAt ?? identity.linkedAt ?? identity.firstSeenAt;
  return {
    identityId: identity._id,
    customerId: identity.customerId,
    channel: identity.channel,
    address: identity.address,
    ...(identity.displayName ? { displayName: identity.displayName } : {}),
    ...(lastSeen ? { lastSeenAt: iso(lastSeen) } : {}),
  };
}

export function customerSummaryView(
  customer: CustomerRecord,
  members: readonly string[],
): CustomerSummaryView {
  return {
    id: customer._id,
    displayName: customer.displayName ?? null,
    originChannel: customer.originChannel,
    tags: customer.tags ?? [],
    mergedCustomerIds: members.filter((member) => member !== customer._id),
    createdAt: iso(customer.createdAt),
  };
}

export function queueView(queue: QueueRecord): QueueView {
  return {
    queueId: queue.queueId,
    name: queue.name,
    kind: queue.kind,
    tier: queue.tier,
    skills: queue.skills,
  };
}

export function mergeCandidateView(suggestion: MergeSuggestionRecord): MergeCandidateView {
  return {
    customerId: suggestion.customerId,
    candidateCustomerId: suggestion.candidateCustomerId,
    reason: suggestion.reason,
    createdAt: iso(suggestion.createdAt),
  };
}

/** Opaque page cursors: base64url JSON of the sort key of the last item. */
export function encodeCursor(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<K extends string>(
  cursor: string,
  fields: readonly K[],
): Record<K, string | number> {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (
      typeof value === 'object' &&
      value !== null &&
      fields.every((field) => typeof value[field] === 'string' || typeof value[field] === 'number')
    ) {
      return value as Record<K, string | number>;
    }
  } catch {
    // reported below
  }
  throw new RequestValidationError([
    { field: 'cursor', pointer: '/cursor', detail: 'cursor must be the `next` of a previous page' },
  ]);
}
