import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AGENT_ROLES, type AgentRole } from '@ponte/contracts';
import { IsEmail, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { AccountView, NormalizedEmail } from '../accounts/account.dto';
import { EMAIL_MAX_LENGTH } from '../accounts/email-address';
import { PASSWORD_MAX_LENGTH } from './password-policy';
import { REFRESH_TOKEN_PATTERN } from './refresh-sessions';

/** Accepted at login whatever the policy says now, up to a bound that keeps hashing cheap to refuse. */
const LOGIN_PASSWORD_MAX_LENGTH = PASSWORD_MAX_LENGTH * 4;

export class LoginBody {
  @ApiProperty({ format: 'email', maxLength: EMAIL_MAX_LENGTH, example: 'ana@example.com' })
  @NormalizedEmail()
  @IsEmail({}, { message: '$property must be an e-mail address' })
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;

  @ApiProperty({ maxLength: LOGIN_PASSWORD_MAX_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(LOGIN_PASSWORD_MAX_LENGTH)
  password!: string;

  @ApiPropertyOptional({ description: "The account's tenant; GATEWAY_DEFAULT_TENANT_ID when absent" })
  @IsOptional()
  @IsString()
  @Matches(/^[^\s|]+$/, { message: '$property must be a non-empty id without spaces or "|"' })
  @MaxLength(128)
  tenantId?: string;
}

export class RefreshTokenBody {
  @ApiProperty({
    description: 'The refresh token of the last login or refresh',
    pattern: REFRESH_TOKEN_PATTERN.source,
  })
  @IsString()
  @Matches(REFRESH_TOKEN_PATTERN, { message: '$property is not a refresh token' })
  refreshToken!: string;
}

export class ChangePasswordBody {
  @ApiProperty({ maxLength: LOGIN_PASSWORD_MAX_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(LOGIN_PASSWORD_MAX_LENGTH)
  currentPassword!: string;

  @ApiProperty({ description: 'See the password policy', maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @MaxLength(LOGIN_PASSWORD_MAX_LENGTH)
  newPassword!: string;
}

/** What login, refresh and a password change return. */
export class TokenPairView {
  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ description: 'JWT (HS256, typ at+jwt) for `Authorization: Bearer`' })
  accessToken!: string;

  @ApiProperty({ description: 'Seconds until the access token expires' })
  expiresIn!: number;

  @ApiProperty({ type: String, format: 'date-time' })
  accessTokenExpiresAt!: string;

  @ApiProperty({ description: 'Opaque, single-use: exchange it at /api/v1/auth/refresh for a new pair' })
  refreshToken!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  refreshTokenExpiresAt!: string;

  @ApiProperty({ type: AccountView })
  account!: AccountView;
}

export class PrincipalView {
  @ApiProperty()
  tenantId!: string;

  @ApiProperty({ format: 'uuid' })
  accountId!: string;

  @ApiProperty()
  agentId!: string;

  @ApiProperty({ enum: AGENT_ROLES })
  role!: AgentRole;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt!: string;
}
