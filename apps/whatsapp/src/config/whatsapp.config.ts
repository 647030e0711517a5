import { ServiceConfig } from '@ponte/platform';
import { IsDefined, IsInt, IsNotEmpty, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';

const ORIGIN = /^https?:\/\/[^/\s?#]+$/;
const ORIGIN_LIST = /^https?:\/\/[^/\s,?#]+(,https?:\/\/[^/\s,?#]+)*$/;
const MEDIA_TYPE_LIST = /^[a-z0-9.+-]+\/([a-z0-9.+-]+|\*)(,[a-z0-9.+-]+\/([a-z0-9.+-]+|\*))*$/;
const PHONE_NUMBER_ID_LIST = /^\s*\d{5,30}\s*(,\s*\d{5,30}\s*)*$/;

/** Declared before the class: its decorators name them while the class is being defined. */
export const CLOUD_API_SETTINGS = [
  'WHATSAPP_CLOUD_APP_SECRET',
  'WHATSAPP_CLOUD_ACCESS_TOKEN',
  'WHATSAPP_CLOUD_VERIFY_TOKEN',
  'WHATSAPP_CLOUD_PHONE_NUMBER_IDS',
] as const;

/** What WhatsApp itself accepts as media (Cloud API "supported media types"). */
const WHATSAPP_MEDIA_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'audio/aac',
  'audio/amr',
  'audio/mpeg',
  'audio/mp4',
  'audio/ogg',
  'video/mp4',
  'video/3gpp',
  'text/plain',
  'application/pdf',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
].join(',');

/**
 * Settings of the whatsapp service; shared ones (Kafka, MongoDB, logging) come from ServiceConfig.
 *
 * The Cloud API settings are optional so the service boots in development without a Meta app: until the four
 * WHATSAPP_CLOUD_* credentials are all set, `/webhooks/whatsapp` answers 503 and the outbound topic is not consumed
 * (outbound messages wait in Kafka).
 */
export class WhatsappConfig extends ServiceConfig {
  override PORT: number = 3003;

  /** The tenant whose conversations this deployment's WhatsApp numbers serve. */
  @IsString()
  @IsNotEmpty()
  WHATSAPP_TENANT_ID: string = 'default';

  /** The Meta app's secret: `X-Hub-Signature-256` is its HMAC-SHA256 of the raw webhook body. */
  @WhenCloudApiIsConfigured()
  @IsString()
  @IsNotEmpty()
  WHATSAPP_CLOUD_APP_SECRET?: string;

  /** A System User access token with `whatsapp_business_messaging`: sends messages and downloads media. */
  @WhenCloudApiIsConfigured()
  @IsString()
  @IsNotEmpty()
  WHATSAPP_CLOUD_ACCESS_TOKEN?: string;

  /** The "Verify token" typed in the app dashboard; Meta's subscription challenge must present it. */
  @WhenCloudApiIsConfigured()
  @IsString()
  @IsNotEmpty()
  WHATSAPP_CLOUD_VERIFY_TOKEN?: string;

  /**
   * The phone number ids (not the phone numbers) this deployment serves, comma-separated. They are the
   * channelAccountId of inbound messages and the sender of replies; webhooks for other numbers are acknowledged and
   * ignored, outbound messages for other accounts fail with PONTE_UNKNOWN_CHANNEL_ACCOUNT.
   */
  @WhenCloudApiIsConfigured()
  @Matches(PHONE_NUMBER_ID_LIST, { message: '$property must be a comma-separated list of phone number ids' })
  WHATSAPP_CLOUD_PHONE_NUMBER_IDS?: string;

  /** The Graph API origin; tests point it at a local server speaking the same wire format. */
  @Matches(ORIGIN, { message: '$property must be an http(s) origin such as https://graph.facebook.com' })
  WHATSAPP_CLOUD_GRAPH_BASE_URL: string = 'https://graph.facebook.com';

  @Matches(/^v\d+\.\d+$/, { message: '$property must be a Graph API version such as v23.0' })
  WHATSAPP_CLOUD_GRAPH_API_VERSION: string = 'v23.0';

  /**
   * Origins media bytes may be downloaded from, besides the Graph origin itself (comma-separated). Graph answers a
   * media id with a `lookaside.fbsbx.com` URL. No redirect is followed anywhere else.
   */
  @Matches(ORIGIN_LIST, { message: '$property must be a comma-separated list of http(s) origins' })
  WHATSAPP_CLOUD_MEDIA_ALLOWED_ORIGINS: string = 'https://lookaside.fbsbx.com';

  /** Accepted media types (comma-separated, `type/*` allowed); WhatsApp's own list by default. */
  @Matches(MEDIA_TYPE_LIST, { message: '$property must be a comma-separated list of media types' })
  WHATSAPP_CLOUD_MEDIA_ALLOWED_TYPES: string = WHATSAPP_MEDIA_TYPES;

  /**
   * A ceiling over WhatsApp's own per-kind limits (image 5 MB, audio and video 16 MB, document 100 MB, sticker
   * 500 KB), which always apply; lower it to keep big documents out of the blob store.
   */
  @IsInt()
  @Min(1)
  WHATSAPP_CLOUD_MEDIA_MAX_BYTES: number = 100 * 1024 * 1024;

  @IsInt()
  @Min(100)
  WHATSAPP_CLOUD_MEDIA_FETCH_TIMEOUT_MS: number = 30_000;

  @IsInt()
  @Min(0)
  @Max(10)
  WHATSAPP_CLOUD_MEDIA_MAX_REDIRECTS: number = 3;

  /** Attempts of one send when Graph answers 429, 5xx or a throttling code, the first included. */
  @IsInt()
  @Min(1)
  @Max(10)
  WHATSAPP_CLOUD_SEND_MAX_ATTEMPTS: number = 4;

  @IsInt()
  @Min(1)
  WHATSAPP_CLOUD_SEND_INITIAL_BACKOFF_MS: number = 1_000;

  @IsInt()
  @Min(1)
  WHATSAPP_CLOUD_SEND_MAX_BACKOFF_MS: number = 8_000;

  @IsInt()
  @Min(1_000)
  WHATSAPP_CLOUD_SEND_TIMEOUT_MS: number = 15_000;

  /** Webhooks and sending need all four; without them the service runs but does nothing with Meta. */
  get cloudApiConfigured(): boolean {
    return Boolean(
      this.WHATSAPP_CLOUD_APP_SECRET &&
      this.WHATSAPP_CLOUD_ACCESS_TOKEN &&
      this.WHATSAPP_CLOUD_VERIFY_TOKEN &&
      this.WHATSAPP_CLOUD_PHONE_NUMBER_IDS,
    );
  }

  get cloudPhoneNumberIds(): string[] {
    return splitList(this.WHATSAPP_CLOUD_PHONE_NUMBER_IDS ?? '');
  }

  get cloudMediaAllowedOrigins(): string[] {
    return [this.WHATSAPP_CLOUD_GRAPH_BASE_URL, ...splitList(this.WHATSAPP_CLOUD_MEDIA_ALLOWED_ORIGINS)];
  }

  get cloudMediaAllowedTypes(): string[] {
    return splitList(this.WHATSAPP_CLOUD_MEDIA_ALLOWED_TYPES);
  }
}

/** The four Cloud API credentials go together: none (Cloud API off) or all, so a partial set fails at boot. */
function WhenCloudApiIsConfigured(): PropertyDecorator {
  return (target, propertyKey) => {
    ValidateIf(
      (config: WhatsappConfig) =>
        config.WHATSAPP_CLOUD_APP_SECRET !== undefined ||
        config.WHATSAPP_CLOUD_ACCESS_TOKEN !== undefined ||
        config.WHATSAPP_CLOUD_VERIFY_TOKEN !== undefined ||
        config.WHATSAPP_CLOUD_PHONE_NUMBER_IDS !== undefined,
    )(target, propertyKey);
    IsDefined({
      message: `$property is required once any of ${CLOUD_API_SETTINGS.join(', ')} is set`,
    })(target, propertyKey);
  };
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
