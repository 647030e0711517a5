import type {
  AgentPresence,
  AgentRef,
  AgentRole,
  AttachmentRef,
  AutomatedKind,
  Channel,
  DeliveryState,
  MessageContent,
  MessageDirection,
  Priority,
  QueueKind,
  RevisionKind,
  SupportTier,
} from '@ponte/contracts';

/**
 * The router's collections the gateway reads (same database, read-only; the router is their single writer). These are
 * typed projections of the fields the gateway uses, copied from the router's schemas (apps/router/src/conversations,
 * timeline, identity, queues) because an app may not import another app. A field renamed there must be renamed here:
 * the int-specs insert router-shaped documents, so they catch a mismatch only when updated with the router.
 */
export const RouterCollections = {
  conversations: 'conversations',
  messages: 'messages',
  customers: 'customers',
  identities: 'identities',
  queues: 'queues',
  agents: 'agents',
  merges: 'customer_merges',
  mergeSuggestions: 'customer_merge_suggestions',
} as const;

/** `_id` of a queue or an agent in the router: ids are chosen per tenant. */
export function scopedId(tenantId: string, id: string): string {
  return `${tenantId}|${id}`;
}

export interface IntakeRecord {
  category: string;
  summary: string;
  triedSteps: string[];
  by: string;
  at: Date;
}

export interface ConversationRecord {
  _id: string;
  tenantId: string;
  customerId: string;
  status: 'open' | 'resolved';
  channel: Channel;
  queueId: string;
  routingReason?: string;
  tier: SupportTier;
  priority: Priority;
  priorityRank: number;
  assigneeId: string | null;
  waitingSince: Date | null;
  assignedAt?: Date;
  firstResponseDueAt: Date;
  firstRespondedAt?: Date;
  resolutionDueAt: Date;
  slaBreaches?: string[];
  intake?: IntakeRecord;
  resolvedAt: Date | null;
  reopenCount?: number;
  transferCount?: number;
  createdAt: Date;
}

export interface MessageRevisionRecord {
  id: string;
  kind: RevisionKind;
  previousContent: MessageContent;
  previousAttachments?: AttachmentRef[];
  at: Date;
}

export interface MessageRecord {
  _id: string;
  tenantId: string;
  conversationId: string;
  customerId: string;
  direction: MessageDirection;
  channel: Channel | 'internal';
  channelAccountId: string;
  externalId: string;
  identityId?: string;
  from?: { address: string; displayName?: string };
  content: MessageContent;
  attachments?: AttachmentRef[];
  automated?: AutomatedKind;
  revision?: RevisionKind;
  revisions?: MessageRevisionRecord[];
  author?: AgentRef;
  deliveryState?: DeliveryState;
  providerError?: { code: string; message: string };
  sentAt?: Date;
  createdAt: Date;
}

export interface CustomerRecord {
  _id: string;
  tenantId: string;
  displayName: string | null;
  originChannel: Channel;
  tags: string[];
  mergedInto: string | null;
  mergeTarget?: boolean;
  mergeId: string | null;
  createdAt: Date;
}

export interface IdentityRecord {
  _id: string;
  tenantId: string;
  customerId: string;
  channel: Channel;
  address: string;
  kind: string;
  displayName?: string;
  firstSeenAt?: Date;
  lastSeenAt?: Date;
  linkedAt?: Date;
}

export interface QueueRecord {
  _id: string;
  tenantId: string;
  queueId: string;
  name: string;
  kind: QueueKind;
  tier: SupportTier;
  skills: string[];
  order: number;
}

export interface AgentRecord {
  _id: string;
  tenantId: string;
  agentId: string;
  role: AgentRole;
  displayName: string;
  queueIds: string[];
  capacity: number;
  capacityByKind?: Partial<Record<'messaging' | 'email', number>>;
  presence: AgentPresence;
}

export interface MergeSuggestionRecord {
  _id: string;
  tenantId: string;
  customerId: string;
  candidateCustomerId: string;
  reason: string;
  createdAt: Date;
}

export interface MergeRecord {
  /** `${tenantId}|${mergeId}`. */
  _id: string;
  tenantId: string;
  mergeId: string;
  sourceCustomerId: string;
  targetCustomerId: string;
  splitAt: Date | null;
}
