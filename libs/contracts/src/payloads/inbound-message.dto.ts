import { CHANNELS, type Channel } from '../topics/channel.constants';
import {
  IsIdentifier,
  IsIsoDateTime,
  IsNestedArray,
  IsNestedObject,
  IsOneOf,
} from '../validation/contract.decorators';
import { ContractLimits } from '../validation/contract.limits';
import { AttachmentRef, ChannelAddress, MessageContent, ThreadingRefs } from './message-parts.dto';

/** A customer's message as an adapter normalized it; published on `ponte.inbound.message.v1`. */
export class InboundMessage {
  @IsOneOf(CHANNELS)
  channel!: Channel;

  /** Our side of the conversation: the number, mailbox, bot or page that received the message. */
  @IsIdentifier()
  channelAccountId!: string;

  /** The provider's id; with tenant, channel and channelAccountId it makes a redelivery a no-op. */
  @IsIdentifier()
  externalId!: string;

  @IsNestedObject(() => ChannelAddress)
  from!: ChannelAddress;

  @IsNestedArray(() => ChannelAddress, ContractLimits.recipients, { minSize: 1 })
  to!: ChannelAddress[];

  @IsNestedArray(() => ChannelAddress, ContractLimits.recipients, { optional: true })
  cc?: ChannelAddress[];

  /** When the customer sent it, by the provider's clock; some e-mails carry no usable Date header. */
  @IsIsoDateTime({ optional: true })
  sentAt?: string;

  /** When the adapter received it. */
  @IsIsoDateTime()
  receivedAt!: string;

  @IsNestedObject(() => MessageContent)
  content!: MessageContent;

  @IsNestedArray(() => AttachmentRef, ContractLimits.attachments, { optional: true })
  attachments?: AttachmentRef[];

  @IsNestedObject(() => ThreadingRefs, { optional: true })
  threading?: ThreadingRefs;

  /** Blob id of the provider's raw payload, kept for audits and re-normalization. */
  @IsIdentifier({ optional: true })
  rawPayloadRef?: string;
}
