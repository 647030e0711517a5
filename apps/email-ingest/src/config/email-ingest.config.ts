import { ServiceConfig } from '@ponte/platform';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';
import { type MailboxSettings, parseMailboxSettings } from './mailbox.settings';

/**
 * Settings of the email-ingest service; shared ones (Kafka, MongoDB, logging) come from ServiceConfig.
 *
 * With no mailbox configured the service runs (health, `npm start`) but opens no IMAP connection and does not
 * consume the outbound topic (replies wait in Kafka).
 */
export class EmailIngestConfig extends ServiceConfig {
  override PORT: number = 3004;

  /** The tenant whose conversations these mailboxes serve. */
  @IsString()
  @IsNotEmpty()
  EMAIL_TENANT_ID: string = 'default';

  /** JSON array of mailboxes: `[{"id","address","displayName"?,"imap":{…},"smtp"?:{…}}]` (see the README). */
  @IsMailboxList()
  EMAIL_MAILBOXES: string = '';

  /** Use IMAP IDLE for new mail; the poll below runs in any case, as a fallback for missed notifications. */
  @EnvBoolean()
  @IsBoolean()
  EMAIL_IMAP_IDLE: boolean = true;

  @IsInt()
  @Min(100)
  EMAIL_POLL_INTERVAL_MS: number = 60_000;

  @IsInt()
  @Min(10)
  EMAIL_RECONNECT_INITIAL_BACKOFF_MS: number = 1_000;

  @IsInt()
  @Min(10)
  EMAIL_RECONNECT_MAX_BACKOFF_MS: number = 60_000;

  /** UIDs whose headers are listed per round trip during a backfill. */
  @IsInt()
  @Min(1)
  @Max(1_000)
  EMAIL_FETCH_BATCH: number = 100;

  /**
   * Mails of one mailbox parsed, stored and published at once, in windows of consecutive UIDs; the checkpoint moves
   * past a window when all of it is done. 1: strictly one by one, in UID order.
   */
  @IsInt()
  @Min(1)
  @Max(32)
  EMAIL_INGEST_CONCURRENCY: number = 4;

  /** A larger mail is quarantined (its first bytes are kept) instead of parsed. */
  @IsInt()
  @Min(1_024)
  EMAIL_MESSAGE_MAX_BYTES: number = 40 * 1024 * 1024;

  @IsInt()
  @Min(1)
  EMAIL_ATTACHMENT_MAX_BYTES: number = 25 * 1024 * 1024;

  /** HTML larger than this (after collapsing whitespace runs) is not sanitized: the text body is used instead. */
  @IsInt()
  @Min(1_024)
  EMAIL_HTML_MAX_BYTES: number = 2 * 1024 * 1024;

  /** Same, for the number of tags (a "sanitizer bomb" of thousands of links or deep nesting). */
  @IsInt()
  @Min(10)
  EMAIL_HTML_MAX_ELEMENTS: number = 10_000;

  /** Sanitizing that took longer is logged; the limits above keep it bounded. */
  @IsInt()
  @Min(1)
  EMAIL_HTML_TIME_BUDGET_MS: number = 250;

  /** Remote images (tracking pixels) are removed unless this is true; `cid:` inline images are kept. */
  @EnvBoolean()
  @IsBoolean()
  EMAIL_HTML_ALLOW_REMOTE_IMAGES: boolean = false;

  @IsInt()
  @Min(1)
  @Max(10)
  EMAIL_SEND_MAX_ATTEMPTS: number = 3;

  @IsInt()
  @Min(1)
  EMAIL_SEND_INITIAL_BACKOFF_MS: number = 1_000;

  @IsInt()
  @Min(1_000)
  EMAIL_SEND_TIMEOUT_MS: number = 30_000;

  /**
   * Bearer token of the operator endpoints (`GET /quarantine`, `POST /quarantine/:id/reprocess`). Unset, they answer
   * 503: reprocessing publishes mail, so it is never open by default.
   */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: '$property must be at least 16 characters (a random secret)' })
  EMAIL_OPS_TOKEN?: string;

  private parsedMailboxes?: MailboxSettings[];

  get mailboxes(): MailboxSettings[] {
    this.parsedMailboxes ??= parseMailboxSettings(this.EMAIL_MAILBOXES);
    return this.parsedMailboxes;
  }

  /** The mailbox whose address is `address` (case-insensitive), the key of outbound messages. */
  mailboxByAddress(address: string): MailboxSettings | undefined {
    const wanted = address.trim().toLowerCase();
    return this.mailboxes.find((mailbox) => mailbox.address.toLowerCase() === wanted);
  }
}

function IsMailboxList(): PropertyDecorator {
  return (target, propertyKey) => {
    registerDecorator({
      name: 'isMailboxList',
      target: target.constructor,
      propertyName: propertyKey as string,
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            parseMailboxSettings(value);
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage: (args?: ValidationArguments) => {
          try {
            parseMailboxSettings(String(args?.value ?? ''));
            return '$property is invalid';
          } catch (error) {
            return `$property ${(error as Error).message}`;
          }
        },
      },
    });
  };
}

/** `true`/`false` (also 1/0, yes/no); implicit conversion would turn the string "false" into true. */
function EnvBoolean(): PropertyDecorator {
  return Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
    const raw = obj[key];
    if (typeof raw === 'boolean') return raw;
    const text = String(raw).trim().toLowerCase();
    if (['true', '1', 'yes'].includes(text)) return true;
    if (['false', '0', 'no'].includes(text)) return false;
    return raw;
  });
}
