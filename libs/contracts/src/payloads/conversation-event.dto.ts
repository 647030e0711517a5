import { CHANNELS, type Channel } from '../topics/channel.constants';
import {
  IsIdentifier,
  IsIsoDateTime,
  IsNestedArray,
  IsNestedObject,
  IsOneOf,
  IsText,
  IsTextList,
} from '../validation/contract.decorators';
import { ContractLimits } from '../validation/contract.limits';
import { DELIVERY_STATES, type DeliveryState } from './delivery-state.rules';
import {
  AgentRef,
  AttachmentRef,
  AUTOMATED_KINDS,
  type AutomatedKind,
  EscalationIntake,
  MessageContent,
  ProviderError,
  REVISION_KINDS,
  type RevisionKind,
} from './message-parts.dto';
import {
  ESCALATION_TIERS,
  MESSAGE_DIRECTIONS,
  PRIORITIES,
  SLA_KINDS,
  SUPPORT_TIERS,
  type EscalationTier,
  type MessageDirection,
  type Priority,
  type SlaKind,
  type SupportTier,
} from './support.constants';

export const CONVERSATION_EVENT_KINDS = [
  'created',
  'message.appended',
  'message.status.updated',
  'message.revised',
  'assigned',
  'transferred',
  'escalated',
  'resolved',
  'reopened',
  'priority.changed',
  'sla.breached',
  'customer.merged',
  'customer.split',
  'customer.merge.suggested',
] as const;

export type ConversationEventKind = (typeof CONVERSATION_EVENT_KINDS)[number];

/** What every event carries. Events are facts the router has already stored. */
export class ConversationEventBase {
  @IsOneOf(CONVERSATION_EVENT_KINDS)
  kind!: ConversationEventKind;

  @IsIdentifier()
  conversationId!: string;

  @IsIdentifier()
  customerId!: string;

  @IsIsoDateTime()
  occurredAt!: string;
}

export class ConversationCreatedEvent extends ConversationEventBase {
  override kind!: 'created';

  /** The channel of the first message. */
  @IsOneOf(CHANNELS)
  channel!: Channel;

  @IsIdentifier({ optional: true })
  queueId?: string;

  @IsOneOf(PRIORITIES)
  priority!: Priority;
}

/** A timeline entry as agents see it. */
export class TimelineMessage {
  @IsIdentifier()
  messageId!: string;

  @IsOneOf(MESSAGE_DIRECTIONS)
  direction!: MessageDirection;

  /** Absent for notes and activities, which never leave Ponte. */
  @IsOneOf(CHANNELS, { optional: true })
  channel?: Channel;

  @IsIdentifier({ optional: true })
  externalId?: string;

  @IsNestedObject(() => MessageContent)
  content!: MessageContent;

  @IsNestedArray(() => AttachmentRef, ContractLimits.attachments, { optional: true })
  attachments?: AttachmentRef[];

  /** The agent who wrote an outgoing message or a note. */
  @IsNestedObject(() => AgentRef, { optional: true })
  author?: AgentRef;

  @IsOneOf(DELIVERY_STATES, { optional: true })
  deliveryState?: DeliveryState;

  /** An inbound message a machine wrote (auto-reply, bounce). */
  @IsOneOf(AUTOMATED_KINDS, { optional: true })
  automated?: AutomatedKind;

  /** Set once the customer edited (`content` is the latest) or deleted (`content` is empty) the message. */
  @IsOneOf(REVISION_KINDS, { optional: true })
  revision?: RevisionKind;

  @IsIsoDateTime()
  createdAt!: string;
}

export class MessageAppendedEvent extends ConversationEventBase {
  override kind!: 'message.appended';

  @IsNestedObject(() => TimelineMessage)
  message!: TimelineMessage;
}

/** Only forward transitions are published (see isForwardTransition). */
export class MessageStatusUpdatedEvent extends ConversationEventBase {
  override kind!: 'message.status.updated';

  @IsIdentifier()
  messageId!: string;

  @IsOneOf(DELIVERY_STATES)
  state!: DeliveryState;

  @IsNestedObject(() => ProviderError, { optional: true })
  error?: ProviderError;
}

/** The customer edited or deleted a message; the timeline keeps the earlier content for agents and audits. */
export class MessageRevisedEvent extends ConversationEventBase {
  override kind!: 'message.revised';

  @IsIdentifier()
  messageId!: string;

  @IsOneOf(REVISION_KINDS)
  revision!: RevisionKind;

  /** The content after the change: the edited text, or empty for a deletion. */
  @IsNestedObject(() => MessageContent)
  content!: MessageContent;
}

export class ConversationAssignedEvent extends ConversationEventBase {
  override kind!: 'assigned';

  @IsIdentifier()
  agentId!: string;

  @IsIdentifier({ optional: true })
  queueId?: string;

  /** Absent when the router assigned automatically. */
  @IsNestedObject(() => AgentRef, { optional: true })
  by?: AgentRef;
}

export class ConversationTransferredEvent extends ConversationEventBase {
  override kind!: 'transferred';

  @IsIdentifier({ optional: true })
  fromQueueId?: string;

  @IsIdentifier({ optional: true })
  fromAgentId?: string;

  @IsIdentifier()
  toQueueId!: string;

  @IsIdentifier({ optional: true })
  toAgentId?: string;

  @IsText(ContractLimits.shortTextLength, { optional: true })
  reason?: string;

  @IsNestedObject(() => AgentRef)
  by!: AgentRef;
}

export class ConversationEscalatedEvent extends ConversationEventBase {
  override kind!: 'escalated';

  @IsOneOf(SUPPORT_TIERS)
  fromTier!: SupportTier;

  @IsOneOf(ESCALATION_TIERS)
  toTier!: EscalationTier;

  @IsIdentifier({ optional: true })
  toQueueId?: string;

  @IsNestedObject(() => EscalationIntake)
  intake!: EscalationIntake;

  @IsNestedObject(() => AgentRef)
  by!: AgentRef;
}

export class ConversationResolvedEvent extends ConversationEventBase {
  override kind!: 'resolved';

  @IsText(ContractLimits.shortTextLength, { optional: true })
  resolution?: string;

  /** Absent when resolved automatically (for example after customer inactivity). */
  @IsNestedObject(() => AgentRef, { optional: true })
  by?: AgentRef;
}

export class ConversationReopenedEvent extends ConversationEventBase {
  override kind!: 'reopened';

  @IsText(ContractLimits.shortTextLength, { optional: true })
  reason?: string;

  /** Absent when the customer's new message reopened it. */
  @IsNestedObject(() => AgentRef, { optional: true })
  by?: AgentRef;
}

export class PriorityChangedEvent extends ConversationEventBase {
  override kind!: 'priority.changed';

  @IsOneOf(PRIORITIES, { optional: true })
  previousPriority?: Priority;

  @IsOneOf(PRIORITIES)
  priority!: Priority;

  @IsNestedObject(() => AgentRef, { optional: true })
  by?: AgentRef;
}

export class SlaBreachedEvent extends ConversationEventBase {
  override kind!: 'sla.breached';

  @IsOneOf(SLA_KINDS)
  sla!: SlaKind;

  @IsIsoDateTime()
  dueAt!: string;
}

/** `customerId` is the surviving (target) customer; keep `mergeId` to split later. */
export class CustomerMergedEvent extends ConversationEventBase {
  override kind!: 'customer.merged';

  @IsIdentifier()
  mergeId!: string;

  @IsIdentifier()
  sourceCustomerId!: string;

  @IsIdentifier()
  targetCustomerId!: string;

  /** Absent when strong evidence (same normalized phone, verified e-mail) merged automatically. */
  @IsNestedObject(() => AgentRef, { optional: true })
  by?: AgentRef;
}

export class CustomerSplitEvent extends ConversationEventBase {
  override kind!: 'customer.split';

  @IsIdentifier()
  mergeId!: string;

  @IsIdentifier()
  restoredCustomerId!: string;

  @IsNestedObject(() => AgentRef)
  by!: AgentRef;
}

/** Weak evidence that two customers are one person: an agent decides (invariant 3). */
export class CustomerMergeSuggestedEvent extends ConversationEventBase {
  override kind!: 'customer.merge.suggested';

  @IsIdentifier()
  candidateCustomerId!: string;

  @IsTextList(ContractLimits.listItems, ContractLimits.shortTextLength, { minSize: 1 })
  evidence!: string[];
}

export type ConversationEvent =
  | ConversationCreatedEvent
  | MessageAppendedEvent
  | MessageStatusUpdatedEvent
  | MessageRevisedEvent
  | ConversationAssignedEvent
  | ConversationTransferredEvent
  | ConversationEscalatedEvent
  | ConversationResolvedEvent
  | ConversationReopenedEvent
  | PriorityChangedEvent
  | SlaBreachedEvent
  | CustomerMergedEvent
  | CustomerSplitEvent
  | CustomerMergeSuggestedEvent;

export type ConversationEventOf<K extends ConversationEventKind> = Extract<ConversationEvent, { kind: K }>;

export const conversationEventClasses: {
  readonly [K in ConversationEventKind]: new () => ConversationEventOf<K>;
} = {
  created: ConversationCreatedEvent,
  'message.appended': MessageAppendedEvent,
  'message.status.updated': MessageStatusUpdatedEvent,
  'message.revised': MessageRevisedEvent,
  assigned: ConversationAssignedEvent,
  transferred: ConversationTransferredEvent,
  escalated: ConversationEscalatedEvent,
  resolved: ConversationResolvedEvent,
  reopened: ConversationReopenedEvent,
  'priority.changed': PriorityChangedEvent,
  'sla.breached': SlaBreachedEvent,
  'customer.merged': CustomerMergedEvent,
  'customer.split': CustomerSplitEvent,
  'customer.merge.suggested': CustomerMergeSuggestedEvent,
};
