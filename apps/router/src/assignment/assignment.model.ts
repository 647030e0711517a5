import type { Priority, SupportTier } from '@ponte/contracts';
import type { ChannelKind } from '../queues';

export interface Assignment {
  conversationId: string;
  agentId: string;
  queueId: string;
  assignedAt: Date;
}

/**
 * The fields of a conversation (collection `conversations`, owned by the conversation store) the assignment reads
 * and guards on. The assignment writes only `assigneeId`, `waitingSince` and `assignedAt`.
 */
export interface AssignableConversation {
  _id: string;
  tenantId: string;
  customerId: string;
  status: 'open' | 'resolved';
  queueId: string;
  tier: SupportTier;
  priority: Priority;
  /** low 0, normal 1, high 2, urgent 3. */
  priorityRank: number;
  channelKind: ChannelKind;
  assigneeId: string | null;
  /** Set while the conversation needs an agent (from creation on); null while assigned. */
  waitingSince: Date | null;
  assignedAt?: Date;
}

export const CONVERSATIONS_COLLECTION = 'conversations';
