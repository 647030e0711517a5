import { IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CHANNELS, type Channel } from '../topics/channel.constants';
import {
  IsIdentifier,
  IsNestedArray,
  IsNestedObject,
  IsOneOf,
  IsOneOfList,
  IsTextList,
} from '../validation/contract.decorators';
import { ContractLimits } from '../validation/contract.limits';
import {
  AGENT_PRESENCES,
  AGENT_ROLES,
  PRIORITIES,
  SUPPORT_TIERS,
  type AgentPresence,
  type AgentRole,
  type Priority,
  type SupportTier,
} from './support.constants';

// How a team is organized (design brief §5): the router's seed file and its `configure` command both speak this.

/** N1 solvers resolve, N1 directors triage and forward, N2/N3 specialists receive escalations. */
export const QUEUE_KINDS = ['solver', 'director', 'specialist'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

export const SupportConfigLimits = {
  idLength: 128,
  nameLength: 200,
  capacity: 1_000,
  queues: 500,
  agents: 10_000,
  rules: 500,
  skills: 100,
} as const;

const ID_PATTERN = /^[^\s|]+$/;
const ID_MESSAGE = '$property must be a non-empty id without spaces or "|"';

/** A queue or agent id: chosen by the team, unique per tenant, free of spaces and `|` (ids are scoped with it). */
function IsConfigId(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    Matches(ID_PATTERN, { message: ID_MESSAGE })(target, key);
    MaxLength(SupportConfigLimits.idLength)(target, key);
  };
}

function IsName(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    IsNotEmpty()(target, key);
    MaxLength(SupportConfigLimits.nameLength)(target, key);
  };
}

function IsCapacity({ optional = false } = {}): PropertyDecorator {
  return (target, key) => {
    if (optional) IsOptional()(target, key);
    IsInt()(target, key);
    Min(0)(target, key);
    Max(SupportConfigLimits.capacity)(target, key);
  };
}

export class QueueConfig {
  @IsConfigId()
  queueId!: string;

  @IsName()
  name!: string;

  @IsOneOf(QUEUE_KINDS)
  kind!: QueueKind;

  /** Solver and director queues are N1; specialist queues N2 or N3. */
  @IsOneOf(SUPPORT_TIERS)
  tier!: SupportTier;

  @IsTextList(SupportConfigLimits.skills, SupportConfigLimits.nameLength)
  skills!: string[];
}

/** Own limits of some channel kinds (e-mail is slower than chat); the other kinds share the agent's capacity. */
export class CapacityByKindConfig {
  @IsCapacity({ optional: true })
  messaging?: number;

  @IsCapacity({ optional: true })
  email?: number;
}

export class AgentConfig {
  @IsConfigId()
  agentId!: string;

  @IsName()
  displayName!: string;

  @IsOneOf(AGENT_ROLES)
  role!: AgentRole;

  @IsTextList(SupportConfigLimits.queues, SupportConfigLimits.idLength)
  queueIds!: string[];

  /** Conversations held at once, of the kinds without a limit of their own. */
  @IsCapacity()
  capacity!: number;

  /** Own limits of some kinds (`{ "email": 10 }`): such a kind is counted against its limit only. */
  @IsNestedObject(() => CapacityByKindConfig, { optional: true })
  capacityByKind?: CapacityByKindConfig;

  /** Only when the agent is created; afterwards presence is live state, changed by the agent's commands. */
  @IsOneOf(AGENT_PRESENCES, { optional: true })
  presence?: AgentPresence;
}

/** Matches when every criterion given matches; tried in order, the first rule that matches picks the queue. */
export class RoutingRuleConfig {
  @IsConfigId()
  id!: string;

  @IsIdentifier()
  queueId!: string;

  /** The conversation started on one of these channels. */
  @IsOneOfList(CHANNELS, CHANNELS.length, { optional: true, minSize: 1 })
  channels?: Channel[];

  /** The first message contains one of these words (case- and accent-insensitive). */
  @IsTextList(ContractLimits.listItems, SupportConfigLimits.nameLength, { optional: true, minSize: 1 })
  keywords?: string[];

  /** The first message matches this regular expression (case-insensitive). */
  @IsString()
  @IsNotEmpty()
  @IsOptional()
  pattern?: string;

  /** The customer has every one of these tags. */
  @IsTextList(ContractLimits.listItems, SupportConfigLimits.nameLength, { optional: true, minSize: 1 })
  customerTags?: string[];

  /** The conversation has one of these priorities. */
  @IsOneOfList(PRIORITIES, PRIORITIES.length, { optional: true, minSize: 1 })
  priorities?: Priority[];
}

export class RoutingConfig {
  /** Where a new conversation goes when no rule matches (an N1 queue). */
  @IsIdentifier()
  defaultQueueId!: string;

  @IsNestedArray(() => RoutingRuleConfig, SupportConfigLimits.rules)
  rules!: RoutingRuleConfig[];
}

/** The account (number, mailbox, bot, page) a reply goes out from when the conversation has none on that channel. */
export class ChannelAccountsConfig implements Partial<Record<Channel, string>> {
  @IsIdentifier({ optional: true })
  whatsapp?: string;

  @IsIdentifier({ optional: true })
  sms?: string;

  @IsIdentifier({ optional: true })
  email?: string;

  @IsIdentifier({ optional: true })
  telegram?: string;

  @IsIdentifier({ optional: true })
  messenger?: string;

  @IsIdentifier({ optional: true })
  instagram?: string;

  @IsIdentifier({ optional: true })
  webchat?: string;
}

/** A tenant's whole support configuration: what the router's seed file holds. */
export class SupportConfig {
  @IsNestedArray(() => QueueConfig, SupportConfigLimits.queues, { minSize: 1 })
  queues!: QueueConfig[];

  @IsNestedArray(() => AgentConfig, SupportConfigLimits.agents)
  agents!: AgentConfig[];

  @IsNestedObject(() => RoutingConfig)
  routing!: RoutingConfig;

  @IsNestedObject(() => ChannelAccountsConfig, { optional: true })
  channelAccounts?: ChannelAccountsConfig;
}
