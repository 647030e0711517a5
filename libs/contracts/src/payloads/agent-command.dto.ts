import { CHANNELS, type Channel } from '../topics/channel.constants';
import {
  IsIdentifier,
  IsIsoDateTime,
  IsNestedArray,
  IsNestedObject,
  IsOneOf,
  IsText,
} from '../validation/contract.decorators';
import { ContractLimits } from '../validation/contract.limits';
import {
  AgentRef,
  AttachmentRef,
  EscalationIntake,
  MessageContent,
  MessageTemplate,
} from './message-parts.dto';
import {
  AgentConfig,
  ChannelAccountsConfig,
  QueueConfig,
  RoutingConfig,
  SupportConfigLimits,
} from './support-config.dto';
import {
  AGENT_PRESENCES,
  ESCALATION_TIERS,
  PRIORITIES,
  type AgentPresence,
  type EscalationTier,
  type Priority,
} from './support.constants';

export const AGENT_COMMAND_KINDS = [
  'reply',
  'note',
  'transfer',
  'escalate',
  'resolve',
  'reopen',
  'merge',
  'split',
  'set-priority',
  'set-presence',
  'configure',
] as const;

export type AgentCommandKind = (typeof AGENT_COMMAND_KINDS)[number];

/** What every command carries; the router applies each commandId at most once. */
export class AgentCommandBase {
  @IsOneOf(AGENT_COMMAND_KINDS)
  kind!: AgentCommandKind;

  @IsIdentifier()
  commandId!: string;

  @IsNestedObject(() => AgentRef)
  agent!: AgentRef;

  @IsIsoDateTime()
  issuedAt!: string;
}

/** Commands that act on one conversation, which is also their Kafka key. */
export class ConversationCommandBase extends AgentCommandBase {
  @IsIdentifier()
  conversationId!: string;
}

export class ReplyCommand extends ConversationCommandBase {
  override kind!: 'reply';

  @IsNestedObject(() => MessageContent)
  content!: MessageContent;

  @IsNestedArray(() => AttachmentRef, ContractLimits.attachments, { optional: true })
  attachments?: AttachmentRef[];

  /** The agent's pick among the customer's channels; the router defaults to the channel of the last inbound. */
  @IsOneOf(CHANNELS, { optional: true })
  channel?: Channel;

  /** The customer identity to answer on, when the customer has several on the chosen channel. */
  @IsIdentifier({ optional: true })
  identityId?: string;

  /** An approved WhatsApp template to send instead of free text; `content.text` is its preview on the timeline. */
  @IsNestedObject(() => MessageTemplate, { optional: true })
  template?: MessageTemplate;
}

/** An internal note: on the timeline, never sent to the customer. */
export class NoteCommand extends ConversationCommandBase {
  override kind!: 'note';

  @IsNestedObject(() => MessageContent)
  content!: MessageContent;

  @IsNestedArray(() => AttachmentRef, ContractLimits.attachments, { optional: true })
  attachments?: AttachmentRef[];
}

export class TransferCommand extends ConversationCommandBase {
  override kind!: 'transfer';

  @IsIdentifier()
  toQueueId!: string;

  @IsIdentifier({ optional: true })
  toAgentId?: string;

  @IsText(ContractLimits.shortTextLength, { optional: true })
  reason?: string;
}

export class EscalateCommand extends ConversationCommandBase {
  override kind!: 'escalate';

  @IsOneOf(ESCALATION_TIERS)
  toTier!: EscalationTier;

  @IsIdentifier({ optional: true })
  toQueueId?: string;

  @IsNestedObject(() => EscalationIntake)
  intake!: EscalationIntake;
}

export class ResolveCommand extends ConversationCommandBase {
  override kind!: 'resolve';

  @IsText(ContractLimits.shortTextLength, { optional: true })
  resolution?: string;
}

export class ReopenCommand extends ConversationCommandBase {
  override kind!: 'reopen';

  @IsText(ContractLimits.shortTextLength, { optional: true })
  reason?: string;
}

/** Merges two customers an agent judged to be the same person (invariant 3: never a silent merge). */
export class MergeCommand extends ConversationCommandBase {
  override kind!: 'merge';

  @IsIdentifier()
  sourceCustomerId!: string;

  @IsIdentifier()
  targetCustomerId!: string;
}

/** Reverses one merge. */
export class SplitCommand extends ConversationCommandBase {
  override kind!: 'split';

  @IsIdentifier()
  mergeId!: string;
}

export class SetPriorityCommand extends ConversationCommandBase {
  override kind!: 'set-priority';

  @IsOneOf(PRIORITIES)
  priority!: Priority;
}

/** Not about a conversation: keyed by the agent, it feeds the router's assignment. */
export class SetPresenceCommand extends AgentCommandBase {
  override kind!: 'set-presence';

  @IsOneOf(AGENT_PRESENCES)
  presence!: AgentPresence;
}

/**
 * Changes the tenant's support configuration (admins only): queues and agents are created or updated by id, the
 * routing and the reply accounts replaced when given. The result must be a valid whole configuration, or nothing
 * changes. Nothing is deleted: retire an agent with capacity 0 and no queues.
 */
export class ConfigureCommand extends AgentCommandBase {
  override kind!: 'configure';

  @IsNestedArray(() => QueueConfig, SupportConfigLimits.queues, { optional: true })
  queues?: QueueConfig[];

  @IsNestedArray(() => AgentConfig, SupportConfigLimits.agents, { optional: true })
  agents?: AgentConfig[];

  @IsNestedObject(() => RoutingConfig, { optional: true })
  routing?: RoutingConfig;

  @IsNestedObject(() => ChannelAccountsConfig, { optional: true })
  channelAccounts?: ChannelAccountsConfig;
}

export type AgentCommand =
  | ReplyCommand
  | NoteCommand
  | TransferCommand
  | EscalateCommand
  | ResolveCommand
  | ReopenCommand
  | MergeCommand
  | SplitCommand
  | SetPriorityCommand
  | SetPresenceCommand
  | ConfigureCommand;

export type AgentCommandOf<K extends AgentCommandKind> = Extract<AgentCommand, { kind: K }>;

export const agentCommandClasses: { readonly [K in AgentCommandKind]: new () => AgentCommandOf<K> } = {
  reply: ReplyCommand,
  note: NoteCommand,
  transfer: TransferCommand,
  escalate: EscalateCommand,
  resolve: ResolveCommand,
  reopen: ReopenCommand,
  merge: MergeCommand,
  split: SplitCommand,
  'set-priority': SetPriorityCommand,
  'set-presence': SetPresenceCommand,
  configure: ConfigureCommand,
};
