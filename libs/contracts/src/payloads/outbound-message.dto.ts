import { CHANNELS, type Channel } from '../topics/channel.constants';
import { IsIdentifier, IsNestedArray, IsNestedObject, IsOneOf } from '../validation/contract.decorators';
import { ContractLimits } from '../validation/contract.limits';
import {
  AttachmentRef,
  ChannelAddress,
  EmailHeaders,
  MessageContent,
  MessageTemplate,
} from './message-parts.dto';

/** A message the router asks one channel adapter to send; published on `ponte.outbound.<channel>.v1`. */
export class OutboundMessage {
  /** Our message id; adapters send at most once per messageId. */
  @IsIdentifier()
  messageId!: string;

  @IsIdentifier()
  conversationId!: string;

  /** Must match the topic's channel; parse and encode both check it. */
  @IsOneOf(CHANNELS)
  channel!: Channel;

  @IsIdentifier()
  channelAccountId!: string;

  @IsNestedObject(() => ChannelAddress)
  to!: ChannelAddress;

  @IsNestedArray(() => ChannelAddress, ContractLimits.recipients, { optional: true })
  cc?: ChannelAddress[];

  @IsNestedObject(() => MessageContent)
  content!: MessageContent;

  @IsNestedArray(() => AttachmentRef, ContractLimits.attachments, { optional: true })
  attachments?: AttachmentRef[];

  /** The provider id of the customer's message this reply quotes. */
  @IsIdentifier({ optional: true })
  replyToExternalId?: string;

  @IsNestedObject(() => EmailHeaders, { optional: true })
  emailHeaders?: EmailHeaders;

  /** Send this approved template instead of free text (WhatsApp); `content.text` is its preview on the timeline. */
  @IsNestedObject(() => MessageTemplate, { optional: true })
  template?: MessageTemplate;
}
