import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  AGENT_PRESENCES,
  AGENT_ROLES,
  type AgentPresence,
  type AgentRole,
  AttachmentRef,
  CapacityByKindConfig,
  CHANNELS,
  type Channel,
  ContractLimits,
  ESCALATION_TIERS,
  EscalationIntake,
  type EscalationTier,
  MessageTemplate,
  PRIORITIES,
  type Priority,
  QUEUE_KINDS,
  type QueueKind,
  RoutingRuleConfig,
  SUPPORT_TIERS,
  SupportConfigLimits,
  type SupportTier,
} from '@ponte/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

const ID_PATTERN = /^[^\s|]+$/;
const ID_MESSAGE = '$property must be a non-empty id without spaces or "|"';

/** What a command became: the router's events (200), or only its id when nothing came back in time (202). */
export class CommandEventView {
  @ApiProperty({ description: 'Envelope id, derived by the router from the command id and the event kind' })
  id!: string;

  @ApiProperty({ example: 'ponte.conversation.event.message.appended.v1' })
  type!: string;

  @ApiProperty({ format: 'date-time' })
  time!: string;

  @ApiProperty({ description: 'The ConversationEvent (its `kind` says which)', type: Object })
  data!: unknown;
}

export class CommandResultView {
  @ApiProperty({ description: 'The command id; derived from the Idempotency-Key when one was sent' })
  commandId!: string;

  @ApiProperty({ enum: ['applied', 'accepted'] })
  status!: 'applied' | 'accepted';

  @ApiProperty({ type: [CommandEventView] })
  events!: CommandEventView[];
}

class AttachmentsField {
  @ApiPropertyOptional({ description: 'Blob references (upload the bytes first); never inline bytes' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ContractLimits.attachments)
  @ValidateNested({ each: true })
  @Type(() => AttachmentRef)
  attachments?: AttachmentRef[];
}

export class ReplyBody extends AttachmentsField {
  @ApiPropertyOptional({ maxLength: ContractLimits.textLength })
  @IsOptional()
  @IsString()
  @MaxLength(ContractLimits.textLength)
  text?: string;

  @ApiPropertyOptional({ description: 'E-mail subject', maxLength: ContractLimits.subjectLength })
  @IsOptional()
  @IsString()
  @MaxLength(ContractLimits.subjectLength)
  subject?: string;

  @ApiPropertyOptional({
    enum: CHANNELS,
    description: "The customer's channel to answer on; default: where the customer last wrote from",
  })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ description: 'The identity (address) to answer, when the customer has several' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.identifierLength)
  identityId?: string;

  @ApiPropertyOptional({
    description: 'An approved WhatsApp template; `text` is its preview on the timeline',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MessageTemplate)
  template?: MessageTemplate;
}

export class NoteBody extends AttachmentsField {
  @ApiProperty({ maxLength: ContractLimits.textLength })
  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.textLength)
  text!: string;
}

export class TransferBody {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.identifierLength)
  queueId!: string;

  @ApiPropertyOptional({ description: 'An online agent of that queue to hand it to' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.identifierLength)
  agentId?: string;

  @ApiPropertyOptional({ maxLength: ContractLimits.shortTextLength })
  @IsOptional()
  @IsString()
  @MaxLength(ContractLimits.shortTextLength)
  reason?: string;
}

export class EscalateBody {
  @ApiProperty({ enum: ESCALATION_TIERS })
  @IsIn(ESCALATION_TIERS)
  tier!: EscalationTier;

  @ApiPropertyOptional({ description: "A queue of that tier; default: the tier's first queue" })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.identifierLength)
  queueId?: string;

  @ApiProperty({ description: 'The structured intake: category, summary, steps already tried', type: Object })
  @IsObject()
  @ValidateNested()
  @Type(() => EscalationIntake)
  intake!: EscalationIntake;
}

export class ResolveBody {
  @ApiPropertyOptional({ maxLength: ContractLimits.shortTextLength })
  @IsOptional()
  @IsString()
  @MaxLength(ContractLimits.shortTextLength)
  resolution?: string;
}

export class ReopenBody {
  @ApiPropertyOptional({ maxLength: ContractLimits.shortTextLength })
  @IsOptional()
  @IsString()
  @MaxLength(ContractLimits.shortTextLength)
  reason?: string;
}

export class PriorityBody {
  @ApiProperty({ enum: PRIORITIES })
  @IsIn(PRIORITIES)
  priority!: Priority;
}

export class MergeBody {
  @ApiProperty({ description: 'The customer merged into this one (the path names the surviving customer)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.identifierLength)
  sourceCustomerId!: string;

  @ApiPropertyOptional({
    description: "The conversation the merge is recorded on; default: the customer's latest one you may see",
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.identifierLength)
  conversationId?: string;
}

export class SplitBody {
  @ApiProperty({ description: 'The merge to undo (`mergeId` of the customer.merged event)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.identifierLength)
  mergeId!: string;

  @ApiPropertyOptional({
    description: "The conversation the split is recorded on; default: the customer's latest one you may see",
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.identifierLength)
  conversationId?: string;
}

export class PresenceBody {
  @ApiProperty({ enum: AGENT_PRESENCES })
  @IsIn(AGENT_PRESENCES)
  presence!: AgentPresence;
}

export class QueuePatchBody {
  @ApiPropertyOptional({ maxLength: SupportConfigLimits.nameLength })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(SupportConfigLimits.nameLength)
  name?: string;

  @ApiPropertyOptional({ enum: QUEUE_KINDS })
  @IsOptional()
  @IsIn(QUEUE_KINDS)
  kind?: QueueKind;

  @ApiPropertyOptional({ enum: SUPPORT_TIERS })
  @IsOptional()
  @IsIn(SUPPORT_TIERS)
  tier?: SupportTier;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SupportConfigLimits.skills)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(SupportConfigLimits.nameLength, { each: true })
  skills?: string[];
}

/** A whole queue (PUT): every field required. */
export class QueueBody {
  @ApiProperty({ maxLength: SupportConfigLimits.nameLength })
  @IsString()
  @IsNotEmpty()
  @MaxLength(SupportConfigLimits.nameLength)
  name!: string;

  @ApiProperty({ enum: QUEUE_KINDS })
  @IsIn(QUEUE_KINDS)
  kind!: QueueKind;

  @ApiProperty({ enum: SUPPORT_TIERS })
  @IsIn(SUPPORT_TIERS)
  tier!: SupportTier;

  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(SupportConfigLimits.skills)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(SupportConfigLimits.nameLength, { each: true })
  skills!: string[];
}

/** The router's side of an agent: its roster entry (the login is the account, see /admin/accounts). */
export class AgentPatchBody {
  @ApiPropertyOptional({ maxLength: SupportConfigLimits.nameLength })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(SupportConfigLimits.nameLength)
  displayName?: string;

  @ApiPropertyOptional({
    enum: AGENT_ROLES,
    description: "The roster's role; keep it equal to the account's",
  })
  @IsOptional()
  @IsIn(AGENT_ROLES)
  role?: AgentRole;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SupportConfigLimits.queues)
  @IsString({ each: true })
  @Matches(ID_PATTERN, { each: true, message: ID_MESSAGE })
  queueIds?: string[];

  @ApiPropertyOptional({ minimum: 0, maximum: SupportConfigLimits.capacity })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(SupportConfigLimits.capacity)
  capacity?: number;

  @ApiPropertyOptional({ description: 'Own limits of some channel kinds: `{ "email": 10 }`', type: Object })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CapacityByKindConfig)
  capacityByKind?: CapacityByKindConfig;
}

/** A whole roster entry (PUT). */
export class AgentBody {
  @ApiPropertyOptional({ description: 'Own limits of some channel kinds: `{ "email": 10 }`', type: Object })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CapacityByKindConfig)
  capacityByKind?: CapacityByKindConfig;

  @ApiProperty({ maxLength: SupportConfigLimits.nameLength })
  @IsString()
  @IsNotEmpty()
  @MaxLength(SupportConfigLimits.nameLength)
  displayName!: string;

  @ApiProperty({ enum: AGENT_ROLES })
  @IsIn(AGENT_ROLES)
  role!: AgentRole;

  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(SupportConfigLimits.queues)
  @IsString({ each: true })
  @Matches(ID_PATTERN, { each: true, message: ID_MESSAGE })
  queueIds!: string[];

  @ApiProperty({ minimum: 0, maximum: SupportConfigLimits.capacity })
  @IsInt()
  @Min(0)
  @Max(SupportConfigLimits.capacity)
  capacity!: number;
}

export class RoutingBody {
  @ApiProperty({ description: 'Where a conversation goes when no rule matches (an N1 queue)' })
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  @MaxLength(SupportConfigLimits.idLength)
  defaultQueueId!: string;

  @ApiProperty({ description: 'Tried in order; the first match picks the queue', type: [Object] })
  @IsArray()
  @ArrayMaxSize(SupportConfigLimits.rules)
  @ValidateNested({ each: true })
  @Type(() => RoutingRuleConfig)
  rules!: RoutingRuleConfig[];
}
