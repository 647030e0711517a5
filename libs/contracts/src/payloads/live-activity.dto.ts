import { AGENT_ROLES, type AgentRole } from './support.constants';
import { IsIdentifier, IsIsoDateTime, IsOneOf } from '../validation/contract.decorators';
import { IsBoolean, IsOptional } from 'class-validator';

/**
 * What people are doing on a conversation right now, relayed between gateway instances (an agent and a visitor, or
 * two agents, are often connected to different ones):
 * - `viewing`: an agent has the conversation open; repeated while they do (a heartbeat), so a crashed instance's
 *   viewers expire elsewhere;
 * - `left`: they closed it or disconnected;
 * - `typing`: an agent typing (`typing: true`) or stopping;
 * - `customer.typing`: the customer typing in the web chat.
 */
export const LIVE_ACTIVITY_KINDS = ['viewing', 'left', 'typing', 'customer.typing'] as const;
export type LiveActivityKind = (typeof LIVE_ACTIVITY_KINDS)[number];

/** Published on `ponte.live.activity.v1`, keyed by conversation. Ephemeral: useful for seconds, never replayed. */
export class LiveActivity {
  @IsOneOf(LIVE_ACTIVITY_KINDS)
  kind!: LiveActivityKind;

  @IsIdentifier()
  conversationId!: string;

  /** The gateway instance it happened on; an instance ignores its own. */
  @IsIdentifier()
  instanceId!: string;

  /** The agent, for every kind but `customer.typing`. */
  @IsIdentifier({ optional: true })
  agentId?: string;

  @IsOneOf(AGENT_ROLES, { optional: true })
  role?: AgentRole;

  @IsOptional()
  @IsBoolean()
  typing?: boolean;

  @IsIsoDateTime()
  occurredAt!: string;
}
