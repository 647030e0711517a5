import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AGENT_ROLES, type AgentRole } from '@ponte/contracts';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../auth/password-policy';
import type { Account } from './account.schema';
import { EMAIL_MAX_LENGTH, normalizeEmail } from './email-address';
import { PageLimit } from '../http/page-limit.decorator';

const ID_PATTERN = /^[^\s|]+$/;
const ID_MESSAGE = '$property must be a non-empty id without spaces or "|"';

/** Trims and lower-cases an e-mail field before it is validated; other types are left for the validator to refuse. */
export const NormalizedEmail = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value) : value));

/** An account as the API shows it: never the hash or the credentials version. */
export class AccountView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  tenantId!: string;

  @ApiProperty({ description: "The router's agent id" })
  agentId!: string;

  @ApiProperty({ format: 'email' })
  email!: string;

  @ApiProperty()
  displayName!: string;

  @ApiProperty({ enum: AGENT_ROLES })
  role!: AgentRole;

  @ApiProperty()
  disabled!: boolean;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: string;

  static of(account: Account): AccountView {
    return {
      id: account._id,
      tenantId: account.tenantId,
      agentId: account.agentId,
      email: account.email,
      displayName: account.displayName,
      role: account.role,
      disabled: account.disabled,
      createdAt: account.createdAt.toISOString(),
      updatedAt: account.updatedAt.toISOString(),
    };
  }
}

export class AccountListView {
  @ApiProperty({ type: [AccountView] })
  accounts!: AccountView[];

  @ApiPropertyOptional({ description: 'Pass as `after` to get the next page; absent on the last page' })
  next?: string;
}

/** A new agent account in the admin's own tenant. The tenant, credentials version and hash are never the caller's. */
export class CreateAccountBody {
  @ApiProperty({ format: 'email', maxLength: EMAIL_MAX_LENGTH, example: 'ana@example.com' })
  @NormalizedEmail()
  @IsEmail({}, { message: '$property must be an e-mail address' })
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;

  @ApiProperty({ maxLength: 200, example: 'Ana Souza' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  displayName!: string;

  @ApiProperty({ enum: AGENT_ROLES })
  @IsIn(AGENT_ROLES)
  role!: AgentRole;

  @ApiProperty({
    description: "The agent's id in the router's roster; unique per tenant",
    example: 'solver-1',
  })
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  @MaxLength(128)
  agentId!: string;

  @ApiProperty({ description: 'Initial password (see the password policy)', maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH * 4)
  password!: string;
}

/** Role, disabled flag and display name; a role or disabled change revokes the account's tokens. */
export class UpdateAccountBody {
  @ApiPropertyOptional({ enum: AGENT_ROLES })
  @IsOptional()
  @IsIn(AGENT_ROLES)
  role?: AgentRole;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  displayName?: string;
}

export class ResetPasswordBody {
  @ApiProperty({ description: 'The new password (see the password policy)', maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH * 4)
  password!: string;
}

export class ListAccountsQuery {
  @PageLimit()
  limit?: number;

  @ApiPropertyOptional({ description: 'The `next` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(EMAIL_MAX_LENGTH)
  after?: string;
}
