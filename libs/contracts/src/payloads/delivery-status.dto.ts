import { ValidateIf } from 'class-validator';
import { CHANNELS, type Channel } from '../topics/channel.constants';
import { IsIdentifier, IsIsoDateTime, IsNestedObject, IsOneOf } from '../validation/contract.decorators';
import { DELIVERY_STATES, type DeliveryState } from './delivery-state.rules';
import { ProviderError } from './message-parts.dto';

/** What became of an outbound message; published on `ponte.delivery.status.v1`, keyed by messageId. */
export class DeliveryStatus {
  /** Our message id from the OutboundMessage. */
  @IsIdentifier()
  messageId!: string;

  @IsIdentifier({ optional: true })
  conversationId?: string;

  @IsOneOf(CHANNELS)
  channel!: Channel;

  @IsIdentifier()
  channelAccountId!: string;

  /** The provider's id, known once the provider accepted the message. */
  @IsIdentifier({ optional: true })
  externalId?: string;

  @IsOneOf(DELIVERY_STATES)
  state!: DeliveryState;

  @IsIsoDateTime()
  occurredAt!: string;

  // Required when failed so agents always see why; validated whenever present.
  @ValidateIf((status: DeliveryStatus) => status.state === 'failed' || status.error !== undefined)
  @IsNestedObject(() => ProviderError)
  error?: ProviderError;
}
