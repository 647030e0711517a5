import { ServiceConfig } from '@ponte/platform';
import {
  IsDefined,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';

const ORIGIN = /^https?:\/\/[^/\s?#]+$/;
const ORIGIN_LIST = /^https?:\/\/[^/\s,?#]+(,https?:\/\/[^/\s,?#]+)*$/;
const MEDIA_TYPE_LIST = /^[a-z0-9.+-]+\/([a-z0-9.+-]+|\*)(,[a-z0-9.+-]+\/([a-z0-9.+-]+|\*))*$/;

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

  @WhenTwilioIsConfigured()
  @Matches(/^AC[0-9a-zA-Z]{32}$/, { message: '$property must be a Twilio Account SID (AC + 32 characters)' })
  TWILIO_ACCOUNT_SID?: string;

  /** Validates webhook signatures and authenticates API and media requests. */
  @WhenTwilioIsConfigured()
  @IsString()
  @IsNotEmpty()
  TWILIO_AUTH_TOKEN?: string;

  /**
   * The public URL Twilio calls, as configured in the Twilio console (scheme, host, optional path prefix, no
   * trailing slash). Signatures are checked against it, never against the Host header a proxy rewrote.
   */
  @WhenTwilioIsConfigured()
  @Matches(/^https?:\/\/[^\s?#]+[^/\s?#]$/, {
    message: '$property must be an absolute http(s) URL without query or trailing slash',
  })
  SMS_PUBLIC_BASE_URL?: string;

  /** Twilio's REST API origin; tests point it at a local server speaking the same wire format. */
  @Matches(ORIGIN, { message: '$property must be an http(s) origin such as https://api.twilio.com' })
  TWILIO_API_BASE_URL: string = 'https://api.twilio.com';

  /**
   * Origins inbound media may be fetched from, every redirect hop included (comma-separated). Twilio answers
   * `api.twilio.com` media URLs with a redirect to its CDN (`mms.twiliocdn.com` when "Enforce HTTP Auth on Media
   * URLs" is on; accounts without it are redirected to `s3-external-1.amazonaws.com`, add it only if you need it).
   */
  @Matches(ORIGIN_LIST, { message: '$property must be a comma-separated list of http(s) origins' })
  SMS_MEDIA_ALLOWED_ORIGINS: string = 'https://api.twilio.com,https://mms.twiliocdn.com';

  /** Twilio accepts at most 5 MB of media per message. */
  @IsInt()
  @Min(1)
  SMS_MEDIA_MAX_BYTES: number = 5 * 1024 * 1024;

  /** Accepted media types (comma-separated, `type/*` allowed). */
  @Matches(MEDIA_TYPE_LIST, { message: '$property must be a comma-separated list of media types' })
  SMS_MEDIA_ALLOWED_TYPES: string =
    'image/jpeg,image/png,image/gif,image/webp,audio/*,video/mp4,video/3gpp,application/pdf,text/vcard,text/x-vcard,text/plain';

  @IsInt()
  @Min(100)
  SMS_MEDIA_FETCH_TIMEOUT_MS: number = 10_000;

  @IsInt()
  @Min(0)
  @Max(10)
  SMS_MEDIA_MAX_REDIRECTS: number = 3;

  /** Per sender number: Twilio queues beyond 1 message/s on a long code; short codes and toll-free allow more. */
  @IsNumber()
  @Min(0.01)
  SMS_SENDER_MESSAGES_PER_SECOND: number = 1;

  /** Attempts of one send when Twilio answers 429 or 5xx, the first included. */
  @IsInt()
  @Min(1)
  @Max(10)
  SMS_SEND_MAX_ATTEMPTS: number = 4;

  @IsInt()
  @Min(1)
  SMS_SEND_INITIAL_BACKOFF_MS: number = 1_000;

  @IsInt()
  @Min(1)
  SMS_SEND_MAX_BACKOFF_MS: number = 8_000;

  @IsInt()
  @Min(1_000)
  SMS_SEND_TIMEOUT_MS: number = 15_000;

  /** Webhooks and sending need all three; without them the service runs but does nothing with Twilio. */
  get twilioConfigured(): boolean {
    return Boolean(this.TWILIO_ACCOUNT_SID && this.TWILIO_AUTH_TOKEN && this.SMS_PUBLIC_BASE_URL);
  }

  get mediaAllowedOrigins(): string[] {
    return splitList(this.SMS_MEDIA_ALLOWED_ORIGINS);
  }

  get mediaAllowedTypes(): string[] {
    return splitList(this.SMS_MEDIA_ALLOWED_TYPES);
  }
}

/**
 * The three Twilio settings go together: none of them (Twilio disabled) or all of them; a partial set fails at
 * boot naming what is missing, rather than a webhook failing at 3 a.m.
 */
function WhenTwilioIsConfigured(): PropertyDecorator {
  return (target, propertyKey) => {
    ValidateIf(
      (config: SmsConfig) =>
        config.TWILIO_ACCOUNT_SID !== undefined ||
        config.TWILIO_AUTH_TOKEN !== undefined ||
        config.SMS_PUBLIC_BASE_URL !== undefined,
    )(target, propertyKey);
    IsDefined({
      message:
        '$property is required once any of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, SMS_PUBLIC_BASE_URL is set',
    })(target, propertyKey);
  };
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
