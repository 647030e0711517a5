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
import { IsNotEmpty, IsString, Matches } from 'class-validator';

const PHONE_NUMBER_ID_LIST = /^\s*\d{5,30}\s*(,\s*\d{5,30}\s*)*$/;

/**
 * The four Cloud API credentials go together: none (Cloud API off) or all, so a partial set fails at boot. Declared
 * before the class: its decorators name them while the class is being defined.
 */
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
  @RequiredTogether(CLOUD_API_SETTINGS)
  @IsString()
  @IsNotEmpty()
  WHATSAPP_CLOUD_APP_SECRET?: string;

  /** A System User access token with `whatsapp_business_messaging`: sends messages and downloads media. */
  @RequiredTogether(CLOUD_API_SETTINGS)
  @IsString()
  @IsNotEmpty()
  WHATSAPP_CLOUD_ACCESS_TOKEN?: string;

  /** The "Verify token" typed in the app dashboard; Meta's subscription challenge must present it. */
  @RequiredTogether(CLOUD_API_SETTINGS)
  @IsString()
  @IsNotEmpty()
  WHATSAPP_CLOUD_VERIFY_TOKEN?: string;

  /**
   * The phone number ids (not the phone numbers) this deployment serves, comma-separated. They are the
   * channelAccountId of inbound messages and the sender of replies; webhooks for other numbers are acknowledged and
   * ignored, outbound messages for other accounts fail with PONTE_UNKNOWN_CHANNEL_ACCOUNT.
   */
  @RequiredTogether(CLOUD_API_SETTINGS)
  @Matches(PHONE_NUMBER_ID_LIST, { message: '$property must be a comma-separated list of phone number ids' })
  WHATSAPP_CLOUD_PHONE_NUMBER_IDS?: string;

  /** The Graph API origin; tests point it at a local server speaking the same wire format. */
  @IsHttpOrigin('https://graph.facebook.com')
  WHATSAPP_CLOUD_GRAPH_BASE_URL: string = 'https://graph.facebook.com';

  @Matches(/^v\d+\.\d+$/, { message: '$property must be a Graph API version such as v23.0' })
  WHATSAPP_CLOUD_GRAPH_API_VERSION: string = 'v23.0';

  /**
   * Origins media bytes may be downloaded from, besides the Graph origin itself (comma-separated). Graph answers a
   * media id with a `lookaside.fbsbx.com` URL. No redirect is followed anywhere else.
   */
  @IsOriginList()
  WHATSAPP_CLOUD_MEDIA_ALLOWED_ORIGINS: string = 'https://lookaside.fbsbx.com';

  /** Accepted media types (comma-separated, `type/*` allowed); WhatsApp's own list by default. */
  @IsMediaTypeList()
  WHATSAPP_CLOUD_MEDIA_ALLOWED_TYPES: string = WHATSAPP_MEDIA_TYPES;

  /**
   * A ceiling over WhatsApp's own per-kind limits (image 5 MB, audio and video 16 MB, document 100 MB, sticker
   * 500 KB), which always apply; lower it to keep big documents out of the blob store.
   */
  @IsMaxBytes()
  WHATSAPP_CLOUD_MEDIA_MAX_BYTES: number = 100 * 1024 * 1024;

  @IsFetchTimeoutMs()
  WHATSAPP_CLOUD_MEDIA_FETCH_TIMEOUT_MS: number = 30_000;

  @IsMaxRedirects()
  WHATSAPP_CLOUD_MEDIA_MAX_REDIRECTS: number = 3;

  /** Attempts of one send when Graph answers 429, 5xx or a throttling code, the first included. */
  @IsSendMaxAttempts()
  WHATSAPP_CLOUD_SEND_MAX_ATTEMPTS: number = 4;

  @IsBackoffMs()
  WHATSAPP_CLOUD_SEND_INITIAL_BACKOFF_MS: number = 1_000;

  @IsBackoffMs()
  WHATSAPP_CLOUD_SEND_MAX_BACKOFF_MS: number = 8_000;

  @IsSendTimeoutMs()
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
