import { plainToInstance, Type } from 'class-transformer';
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
  ValidateNested,
  validateSync,
  type ValidationError,
} from 'class-validator';

export class ImapSettings {
  @IsString()
  @IsNotEmpty()
  host!: string;

  @IsInt()
  @Min(1)
  @Max(65535)
  port: number = 993;

  /** Implicit TLS (993). False means plain or STARTTLS, which imapflow upgrades to when offered. */
  @IsBoolean()
  secure: boolean = true;

  @IsString()
  @IsNotEmpty()
  user!: string;

  @IsString()
  @IsNotEmpty()
  password!: string;

  /** The folder watched. */
  @IsString()
  @IsNotEmpty()
  folder: string = 'INBOX';
}

export class SmtpSettings {
  @IsString()
  @IsNotEmpty()
  host!: string;

  @IsInt()
  @Min(1)
  @Max(65535)
  port: number = 465;

  /** Implicit TLS (465). False means STARTTLS when the server offers it (587). */
  @IsBoolean()
  secure: boolean = true;

  @IsOptional()
  @IsString()
  user?: string;

  @IsOptional()
  @IsString()
  password?: string;
}

/** One support mailbox: where mail is read (IMAP) and how replies from it are sent (SMTP). */
export class MailboxSettings {
  /** Stable key of the mailbox: its checkpoint and quarantine records are keyed by it. */
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/, { message: 'id must be [a-z0-9_-], at most 64 characters' })
  id!: string;

  /** The mailbox's own address: `channelAccountId` of what it receives, `From` of what it sends. */
  @Matches(/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>".]+$/, { message: 'address must be an e-mail address' })
  address!: string;

  /** Display name on replies (e.g. "Suporte ACME"). */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  displayName?: string;

  @ValidateNested()
  @Type(() => ImapSettings)
  imap!: ImapSettings;

  @IsOptional()
  @ValidateNested()
  @Type(() => SmtpSettings)
  smtp?: SmtpSettings;
}

export class InvalidMailboxSettingsError extends Error {
  override readonly name = 'InvalidMailboxSettingsError';
}

/** Parses and validates EMAIL_MAILBOXES (a JSON array); throws with every problem listed. */
export function parseMailboxSettings(json: string): MailboxSettings[] {
  if (json.trim() === '') return [];
  let plain: unknown;
  try {
    plain = JSON.parse(json);
  } catch (error) {
    throw new InvalidMailboxSettingsError(`is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(plain)) throw new InvalidMailboxSettingsError('must be a JSON array of mailboxes');
  const mailboxes = plain.map((item: unknown) =>
    plainToInstance(MailboxSettings, item, { exposeDefaultValues: true }),
  );
  const problems = mailboxes.flatMap((mailbox, index) =>
    validateSync(mailbox, { forbidUnknownValues: true }).flatMap((error) => describe(error, `[${index}]`)),
  );
  const ids = mailboxes.map((mailbox) => mailbox.id);
  const duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
  if (duplicates.length > 0) problems.push(`duplicate mailbox ids: ${[...new Set(duplicates)].join(', ')}`);
  if (problems.length > 0) throw new InvalidMailboxSettingsError(problems.join('; '));
  return mailboxes;
}

function describe(error: ValidationError, path: string): string[] {
  const here = `${path}.${error.property}`;
  const own = Object.values(error.constraints ?? {}).map((message) => `${here}: ${message}`);
  return [...own, ...(error.children ?? []).flatMap((child) => describe(child, here))];
}
