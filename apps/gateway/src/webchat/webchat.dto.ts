import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNEL_CAPABILITIES, ContractLimits, type DeliveryState } from '@ponte/contracts';
import {
  IsBoolean,
  IsEmail,
  IsHexadecimal,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { PageLimit } from '../http/page-limit.decorator';

/** The socket.io path of the visitors' web chat. */
export const WEBCHAT_LIVE_PATH = '/api/v1/webchat/live';

/** Events the web chat server emits to a visitor. */
export const VisitorServerEvents = {
  /** An agent's message: `VisitorMessageView`; the client's acknowledgement marks it delivered. */
  message: 'message',
  /** An agent viewing the conversation is typing (or stopped): `{ typing }`. */
  typing: 'typing',
  /** An agent has seen the visitor's messages up to `upTo` (one of their message ids): `{ upTo }`. */
  seen: 'seen',
  /** The session ends (expired token), just before the server disconnects: a problem. */
  sessionEnded: 'session.ended',
} as const;

/** Messages a visitor's client sends, each with an acknowledgement callback. */
export const VisitorClientMessages = {
  message: 'message',
  typing: 'typing',
  read: 'read',
} as const;

const VISITOR_TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** A phone as websites send it: E.164, `+` and 8 to 15 digits. */
const E164 = /^\+[1-9]\d{7,14}$/;

export class OpenSessionBody {
  @ApiProperty({ example: 'website' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  inboxId!: string;

  @ApiPropertyOptional({ description: 'The visitor token of an earlier session, to keep the same visitor' })
  @IsOptional()
  @IsString()
  @MaxLength(4_096)
  @Matches(VISITOR_TOKEN, { message: '$property must be a visitor token' })
  token?: string;

  @ApiPropertyOptional({ description: 'Shown to agents; never evidence of who the visitor is' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.displayNameLength)
  name?: string;

  @ApiPropertyOptional({ description: 'Verified only together with emailHash; otherwise a claim agents see' })
  @IsOptional()
  @IsEmail({}, { message: '$property must be an e-mail address' })
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ description: 'hex HMAC-SHA256(identitySecret, email), computed by the website' })
  @IsOptional()
  @IsHexadecimal()
  @Length(64, 64)
  emailHash?: string;

  @ApiPropertyOptional({ example: '+5511987654321' })
  @IsOptional()
  @Matches(E164, { message: '$property must be an E.164 phone number such as +5511987654321' })
  phone?: string;

  @ApiPropertyOptional({ description: 'hex HMAC-SHA256(identitySecret, phone), computed by the website' })
  @IsOptional()
  @IsHexadecimal()
  @Length(64, 64)
  phoneHash?: string;
}

export class VerifiedIdentityView {
  @ApiProperty({ enum: ['email', 'sms'] })
  channel!: 'email' | 'sms';

  @ApiProperty()
  address!: string;
}

export class VisitorSessionView {
  @ApiProperty({ description: 'Bearer token of the visitor routes and the socket handshake' })
  token!: string;

  @ApiProperty()
  visitorId!: string;

  @ApiProperty()
  inboxId!: string;

  @ApiProperty()
  expiresAt!: string;

  @ApiProperty({ type: [VerifiedIdentityView] })
  verified!: VerifiedIdentityView[];
}

export class SendMessageBody {
  @ApiProperty({
    description: 'A UUID the widget makes per message: a retry with the same one is the same message',
  })
  @IsUUID('all', { message: '$property must be a UUID' })
  clientMessageId!: string;

  @ApiProperty({ maxLength: CHANNEL_CAPABILITIES.webchat.maxTextLength })
  @IsString()
  @Matches(/\S/, { message: '$property must not be empty' })
  @MaxLength(CHANNEL_CAPABILITIES.webchat.maxTextLength)
  text!: string;
}

export class SentMessageView {
  @ApiProperty({ description: 'The message id on the channel (its externalId)' })
  messageId!: string;
}

export class TypingBody {
  @ApiProperty()
  @IsBoolean()
  typing!: boolean;
}

export class ReadBody {
  @ApiProperty({ description: 'The latest agent message the visitor has read' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.identifierLength)
  messageId!: string;
}

export class VisitorMessagesQuery {
  @ApiPropertyOptional({ description: 'Only messages after this one' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.identifierLength)
  after?: string;

  @PageLimit()
  limit?: number;
}

export class VisitorMessageView {
  @ApiProperty()
  messageId!: string;

  @ApiProperty({ enum: ['incoming', 'outgoing'], description: '`incoming`: the visitor wrote it' })
  direction!: 'incoming' | 'outgoing';

  @ApiProperty()
  text!: string;

  @ApiPropertyOptional({ description: 'The agent who wrote an outgoing message' })
  author?: { displayName: string };

  @ApiPropertyOptional()
  deliveryState?: DeliveryState;

  @ApiProperty()
  createdAt!: string;
}

export class VisitorMessagesView {
  @ApiProperty({ type: [VisitorMessageView] })
  items!: VisitorMessageView[];
}
