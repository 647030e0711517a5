import { CHANNELS, type Channel } from '../topics/channel.constants';
import { IsIdentifier, IsIsoDateTime, IsOneOf, IsText } from '../validation/contract.decorators';
import { ContractLimits } from '../validation/contract.limits';

/**
 * The connection state of one channel account (a WhatsApp Web session, a mailbox, a bot):
 * - `connecting`: starting or reconnecting after a drop, within its retry budget;
 * - `pairing`: waiting for a person to scan a QR code or log in — nothing is received until then;
 * - `connected`: receiving and sending;
 * - `lost`: gave up (logged out, retries exhausted); needs an operator.
 */
export const CHANNEL_ACCOUNT_STATES = ['connecting', 'pairing', 'connected', 'lost'] as const;
export type ChannelAccountState = (typeof CHANNEL_ACCOUNT_STATES)[number];

/** A channel account's state change; published on `ponte.channel.status.v1`, keyed by channel and account. */
export class ChannelAccountStatus {
  @IsOneOf(CHANNELS)
  channel!: Channel;

  @IsIdentifier()
  channelAccountId!: string;

  @IsOneOf(CHANNEL_ACCOUNT_STATES)
  state!: ChannelAccountState;

  /** Why, in words an operator can act on (e.g. "logged out from the phone", "5 reconnects failed"). */
  @IsText(ContractLimits.shortTextLength, { optional: true })
  reason?: string;

  @IsIsoDateTime()
  occurredAt!: string;
}
