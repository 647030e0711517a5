import { CHANNELS, type Channel } from '../topics/channel.constants';
import {
  IsIdentifier,
  IsIsoDateTime,
  IsNestedArray,
  IsNestedObject,
  IsOneOf,
} from '../validation/contract.decorators';
import { ContractLimits } from '../validation/contract.limits';
import {
  AttachmentRef,
  AUTOMATED_KINDS,
  type AutomatedKind,
  ChannelAddress,
  MessageContent,
  MessageRevision,
  ThreadingRefs,
  VouchedIdentity,
} from './message-parts.dto';

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

  /** E-mail Reply-To: where the customer wants answers, when it differs from `from`. */
  @IsNestedArray(() => ChannelAddress, ContractLimits.recipients, { optional: true })
  replyTo?: ChannelAddress[];

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

  /** Set when a machine wrote it (an auto-reply, a bounce): stored and shown, never answered automatically. */
  @IsOneOf(AUTOMATED_KINDS, { optional: true })
  automated?: AutomatedKind;

  /** Addresses the provider vouches belong to the sender: strong evidence for identity resolution. */
  @IsNestedArray(() => VouchedIdentity, 5, { optional: true })
  vouchedIdentities?: VouchedIdentity[];

  /**
   * Addresses the sender claims without proof (a web chat visitor's unverified e-mail): weak evidence. When one belongs
   * to another customer, the router records a merge suggestion for agents; it never links or merges on a claim.
   */
  @IsNestedArray(() => VouchedIdentity, 5, { optional: true })
  claimedIdentities?: VouchedIdentity[];

  /** Set when this is an edit or deletion of an earlier message, not a new one. */
  @IsNestedObject(() => MessageRevision, { optional: true })
  revision?: MessageRevision;

  /** Blob id of the provider's raw payload, kept for audits and re-normalization. */
  @IsIdentifier({ optional: true })
  rawPayloadRef?: string;
}
