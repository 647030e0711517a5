import {
  IsBackoffMs,
  IsFetchTimeoutMs,
  IsHttpOrigin,
  IsMaxBytes,
  IsMaxRedirects,
  IsMediaTypeList,
  IsOriginList,
  IsSendMaxAttempts,
  IsSendTimeoutMs,
  RequiredTogether,
  splitList,
} from '@ponte/channel-kit';
import { ServiceConfig } from '@ponte/platform';
import {
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';

/**
 * The three Twilio settings go together: none of them (Twilio disabled) or all of them. Declared before the class:
 * its decorators name them while the class is being defined.
 */
const TWILIO_SETTINGS = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'SMS_PUBLIC_BASE_URL'] as const;

/**
 * Settings of the sms service; shared ones (Kafka, MongoDB, logging) come from ServiceConfig.
 *
 * Twilio credentials are optional so the service boots in development without a Twilio account: until
 * TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and SMS_PUBLIC_BASE_URL are all set, the webhooks answer 503 and the
 * outbound topics are not consumed (outbound messages wait in Kafka).
 */
export class SmsConfig extends ServiceConfig {
  override PORT: number = 3002;

  /** The tenant whose conversations this deployment's Twilio account serves. */
  @IsString()
  @IsNotEmpty()
  SMS_TENANT_ID: string = 'default';

  @RequiredTogether(TWILIO_SETTINGS)
  @Matches(/^AC[0-9a-zA-Z]{32}$/, { message: '$property must be a Twilio Account SID (AC + 32 characters)' })
  TWILIO_ACCOUNT_SID?: string;

  /** Validates webhook signatures and authenticates API and media requests. */
  @RequiredTogether(TWILIO_SETTINGS)
  @IsString()
  @IsNotEmpty()
  TWILIO_AUTH_TOKEN?: string;

  /**
   * The public URL Twilio calls, as configured in the Twilio console (scheme, host, optional path prefix, no
   * trailing slash). Signatures are checked against it, never against the Host header a proxy rewrote.
   */
  @RequiredTogether(TWILIO_SETTINGS)
  @Matches(/^https?:\/\/[^\s?#]+[^/\s?#]$/, {
    message: '$property must be an absolute http(s) URL without query or trailing slash',
  })
  SMS_PUBLIC_BASE_URL?: string;

  /** Twilio's REST API origin; tests point it at a local server speaking the same wire format. */
  @IsHttpOrigin('https://api.twilio.com')
  TWILIO_API_BASE_URL: string = 'https://api.twilio.com';

  /**
   * Origins inbound media may be fetched from, every redirect hop included (comma-separated). Twilio answers
   * `api.twilio.com` media URLs with a redirect to its CDN (`mms.twiliocdn.com` when "Enforce HTTP Auth on Media
   * URLs" is on; accounts without it are redirected to `s3-external-1.amazonaws.com`, add it only if you need it).
   */
  @IsOriginList()
  SMS_MEDIA_ALLOWED_ORIGINS: string = 'https://api.twilio.com,https://mms.twiliocdn.com';

  /** Twilio accepts at most 5 MB of media per message. */
  @IsMaxBytes()
  SMS_MEDIA_MAX_BYTES: number = 5 * 1024 * 1024;

  /** Accepted media types (comma-separated, `type/*` allowed). */
  @IsMediaTypeList()
  SMS_MEDIA_ALLOWED_TYPES: string =
    'image/jpeg,image/png,image/gif,image/webp,audio/*,video/mp4,video/3gpp,application/pdf,text/vcard,text/x-vcard,text/plain';

  @IsFetchTimeoutMs()
  SMS_MEDIA_FETCH_TIMEOUT_MS: number = 10_000;

  @IsMaxRedirects()
  SMS_MEDIA_MAX_REDIRECTS: number = 3;

  /**
   * Signs the URLs of outbound media (`SMS_PUBLIC_BASE_URL/media/{token}`, which Twilio fetches when it sends an MMS).
   * Unset, the key is derived from TWILIO_AUTH_TOKEN (HKDF-SHA256), so every instance agrees without another secret;
   * set it to keep media URLs valid across an auth token rotation, or to keep the two secrets apart.
   */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: '$property must be at least 32 characters (e.g. `openssl rand -base64 32`)' })
  SMS_MEDIA_URL_SECRET?: string;

  /** How long a media URL stays valid. Twilio fetches it within seconds of the send; the margin covers its queue. */
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  SMS_MEDIA_URL_TTL_SECONDS: number = 3600;

  /** Per sender number: Twilio queues beyond 1 message/s on a long code; short codes and toll-free allow more. */
  @IsNumber()
  @Min(0.01)
  SMS_SENDER_MESSAGES_PER_SECOND: number = 1;

  /** Attempts of one send when Twilio answers 429 or 5xx, the first included. */
  @IsSendMaxAttempts()
  SMS_SEND_MAX_ATTEMPTS: number = 4;

  @IsBackoffMs()
  SMS_SEND_INITIAL_BACKOFF_MS: number = 1_000;

  @IsBackoffMs()
  SMS_SEND_MAX_BACKOFF_MS: number = 8_000;

  @IsSendTimeoutMs()
  SMS_SEND_TIMEOUT_MS: number = 15_000;

  /** Webhooks and sending need all three; without them the service runs but does nothing with Twilio. */
  get twilioConfigured(): boolean {
    return Boolean(this.TWILIO_ACCOUNT_SID && this.TWILIO_AUTH_TOKEN && this.SMS_PUBLIC_BASE_URL);
  }

  /** What media URLs are signed with (see SMS_MEDIA_URL_SECRET); undefined when there is neither secret. */
  get mediaUrlSecret(): string | undefined {
    return this.SMS_MEDIA_URL_SECRET ?? this.TWILIO_AUTH_TOKEN;
  }

  get mediaAllowedOrigins(): string[] {
    return splitList(this.SMS_MEDIA_ALLOWED_ORIGINS);
  }

  get mediaAllowedTypes(): string[] {
    return splitList(this.SMS_MEDIA_ALLOWED_TYPES);
  }
}
