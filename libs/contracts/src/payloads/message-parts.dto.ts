import {
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { CHANNELS, type Channel } from '../topics/channel.constants';
import { IsAbsent, IsIdentifier, IsOneOf, IsText, IsTextList } from '../validation/contract.decorators';
import { ContractLimits } from '../validation/contract.limits';
import { AGENT_ROLES, type AgentRole } from './support.constants';

/** One party on a channel: a phone number, WhatsApp id, e-mail address, Telegram chat id, page-scoped id… */
export class ChannelAddress {
  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.addressLength)
  address!: string;

  @IsText(ContractLimits.displayNameLength, { optional: true })
  displayName?: string;
}

export class MessageContent {
  @IsText(ContractLimits.textLength, { optional: true })
  text?: string;

  /** Already sanitized by the producing adapter; consumers may render it without re-sanitizing. */
  @IsText(ContractLimits.htmlLength, { optional: true })
  html?: string;

  @IsText(ContractLimits.subjectLength, { optional: true })
  subject?: string;

  /** The history quoted below the new text (e-mail), when the adapter could tell them apart; never rendered as new. */
  @IsText(ContractLimits.textLength, { optional: true })
  quotedText?: string;
}

/** Why a machine wrote an inbound message (RFC 3834 auto-replies, bounces/DSNs, other auto-generated mail). */
export const AUTOMATED_KINDS = ['auto-reply', 'bounce', 'auto-generated'] as const;
export type AutomatedKind = (typeof AUTOMATED_KINDS)[number];

/** What a customer did to a message they had sent: edited it (Telegram, WhatsApp) or deleted it for everyone. */
export const REVISION_KINDS = ['edited', 'deleted'] as const;
export type RevisionKind = (typeof REVISION_KINDS)[number];

/**
 * Marks an inbound message as a change to an earlier one rather than a new message. The inbound's own `externalId`
 * names the revision (so a redelivered edit is a no-op); `of` names the message it changes, on the same channel
 * account. An edit carries the new content; a deletion carries none.
 */
export class MessageRevision {
  @IsOneOf(REVISION_KINDS)
  kind!: RevisionKind;

  /** The provider id of the revised message. */
  @IsIdentifier()
  of!: string;
}

/**
 * An address the provider vouches belongs to the sender (Telegram: the user shared their own phone contact from
 * their account). Strong evidence: the router makes it the sender's customer's, merging customers if needed.
 */
export class VouchedIdentity {
  @IsOneOf(CHANNELS)
  channel!: Channel;

  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.addressLength)
  address!: string;
}

/** An approved template (WhatsApp Cloud): the only thing that may open a conversation outside the 24-hour window. */
export class MessageTemplate {
  /** The template's name as approved by Meta, e.g. `order_update`. */
  @IsString()
  @MaxLength(ContractLimits.identifierLength)
  @Matches(/^[a-z0-9_]+$/, { message: 'template name must be lower case letters, digits and underscores' })
  name!: string;

  /** The template's language, e.g. `pt_BR` or `en`. */
  @IsString()
  @Matches(/^[a-z]{2,3}(_[A-Z]{2})?$/, { message: 'languageCode must look like pt_BR or en' })
  languageCode!: string;

  /** Values of the body's `{{1}}`, `{{2}}`… in order. */
  @IsTextList(ContractLimits.listItems, ContractLimits.shortTextLength, { optional: true })
  bodyParameters?: string[];
}

// Blob ids are storage keys; excluding `;` and `,` also rules out `data:` URIs smuggling the bytes in.
const BLOB_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@+=-]*$/;
const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(\s*;.*)?$/;
const INLINE_BYTES = 'attachments are blob references; upload the bytes and send the blobId';

/** A reference to a stored blob. Attachment bytes never travel on the bus. */
export class AttachmentRef {
  @IsIdentifier()
  @Matches(BLOB_ID, { message: 'blobId must be a storage key, not inline data' })
  blobId!: string;

  @IsString()
  @MaxLength(ContractLimits.mediaTypeLength)
  @Matches(MEDIA_TYPE, { message: 'contentType must be a media type such as image/jpeg' })
  contentType!: string;

  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  size!: number;

  @IsText(ContractLimits.fileNameLength, { optional: true })
  fileName?: string;

  // The usual names under which producers try to inline bytes; declared so they are rejected, not stripped.
  @IsAbsent(INLINE_BYTES)
  data?: never;

  @IsAbsent(INLINE_BYTES)
  bytes?: never;

  @IsAbsent(INLINE_BYTES)
  base64?: never;

  @IsAbsent(INLINE_BYTES)
  content?: never;
}

/** Everything needed to thread a message: e-mail headers and the provider's reply-to id. */
export class ThreadingRefs {
  /** RFC 5322 Message-ID. */
  @IsText(ContractLimits.headerLength, { optional: true })
  messageId?: string;

  @IsText(ContractLimits.headerLength, { optional: true })
  inReplyTo?: string;

  @IsTextList(ContractLimits.references, ContractLimits.headerLength, { optional: true })
  references?: string[];

  /** The provider id of the message this one quotes (WhatsApp context, Telegram reply_to_message…). */
  @IsIdentifier({ optional: true })
  replyToExternalId?: string;
}

/** Outgoing e-mail threading headers; the subject lives in `content.subject` like on the inbound side. */
export class EmailHeaders {
  @IsText(ContractLimits.headerLength, { optional: true })
  inReplyTo?: string;

  @IsTextList(ContractLimits.references, ContractLimits.headerLength, { optional: true })
  references?: string[];
}

export class AgentRef {
  @IsIdentifier()
  id!: string;

  @IsOneOf(AGENT_ROLES)
  role!: AgentRole;

  @IsText(ContractLimits.displayNameLength, { optional: true })
  displayName?: string;
}

export class ProviderError {
  /** The provider's own code (Twilio 30007, Meta 131026…), kept verbatim for support and metrics. */
  @IsIdentifier()
  code!: string;

  @IsString()
  @MaxLength(ContractLimits.shortTextLength)
  message!: string;

  /** Whether retrying the same message can succeed. */
  @IsOptional()
  @IsBoolean()
  retryable?: boolean;
}

/** The structured intake a director fills in before forwarding a problem (design brief §5). */
export class EscalationIntake {
  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.categoryLength)
  category!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.shortTextLength)
  summary!: string;

  @IsTextList(ContractLimits.listItems, ContractLimits.shortTextLength)
  triedSteps!: string[];
}
