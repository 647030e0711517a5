import {
  IsBackoffMs,
  IsFetchTimeoutMs,
  IsHttpOrigin,
  IsMaxBytes,
  IsMaxRedirects,
  IsMediaTypeList,
  IsSendMaxAttempts,
  IsSendTimeoutMs,
  splitList,
  IsSettingsList,
} from '@ponte/channel-kit';
import { ServiceConfig } from '@ponte/platform';
import { IsNotEmpty, IsOptional, IsString, Matches, MinLength } from 'class-validator';
import {
  type MetaAccount,
  type MetaAccountSettings,
  parseAccountSettings,
  type SocialChannel,
} from './meta-accounts';

/** What Messenger and Instagram deliver as attachments and this service stores by default. */
const SOCIAL_MEDIA_TYPES = [
  'image/*',
  'audio/*',
  'video/*',
  'application/pdf',
  'text/plain',
  'application/zip',
  'application/octet-stream',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
].join(',');

/**
 * Meta's CDN origins attachments are fetched from. `https://*.fbcdn.net` stands for every host under fbcdn.net
 * (Messenger serves attachments from regional hosts such as scontent-gru2-1.xx.fbcdn.net).
 */
const META_MEDIA_ORIGINS = [
  'https://*.fbcdn.net',
  'https://lookaside.fbsbx.com',
  'https://cdn.fbsbx.com',
  'https://*.cdninstagram.com',
].join(',');

const ORIGIN_PATTERN_LIST = /^https?:\/\/(\*\.)?[^/\s,?#*]+(,https?:\/\/(\*\.)?[^/\s,?#*]+)*$/;

/**
 * Settings of the social service (Messenger and Instagram Direct); shared ones (Kafka, MongoDB, logging) come from
 * ServiceConfig.
 *
 * Without the app secret, the verify token and at least one page or Instagram account the service runs (health,
 * `npm start`): `/webhooks/meta` answers 503 and the outbound topics are not consumed (messages wait in Kafka).
 */
export class SocialConfig extends ServiceConfig {
  override PORT: number = 3006;

  /** The tenant of the accounts that do not name their own. */
  @IsString()
  @IsNotEmpty()
  SOCIAL_TENANT_ID: string = 'default';

  /** The Meta app's secret: `X-Hub-Signature-256` of every webhook is an HMAC-SHA256 with it. Never logged. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: '$property must be the Meta app secret (at least 16 characters)' })
  META_APP_SECRET?: string;

  /** The token typed into the app dashboard with the webhook URL; the verification challenge must carry it. */
  @IsOptional()
  @IsString()
  @MinLength(8, { message: '$property must be at least 8 characters' })
  META_VERIFY_TOKEN?: string;

  /** JSON array of Facebook Pages: `[{"id":"<page id>","accessToken":"<page access token>","tenantId"?}]`. */
  @IsSettingsList(parseAccountSettings)
  META_PAGES: string = '';

  /** JSON array of Instagram accounts: `[{"id":"<Instagram account id>","accessToken":"…","tenantId"?}]`. */
  @IsSettingsList(parseAccountSettings)
  META_INSTAGRAM_ACCOUNTS: string = '';

  /** Graph API origin of the Messenger Send API; tests point it at a local server. */
  @IsHttpOrigin('https://graph.facebook.com')
  META_GRAPH_BASE_URL: string = 'https://graph.facebook.com';

  /** Graph API origin of the Instagram Send API (Instagram API with Instagram Login). */
  @IsHttpOrigin('https://graph.instagram.com')
  META_INSTAGRAM_GRAPH_BASE_URL: string = 'https://graph.instagram.com';

  @Matches(/^v\d+\.\d+$/, { message: '$property must be a Graph API version such as v23.0' })
  META_GRAPH_API_VERSION: string = 'v23.0';

  /** Origins attachments are fetched from; `https://*.example.com` allows every host under example.com. */
  @Matches(ORIGIN_PATTERN_LIST, {
    message: '$property must be a comma-separated list of http(s) origins (a leading *. allowed)',
  })
  META_MEDIA_ALLOWED_ORIGINS: string = META_MEDIA_ORIGINS;

  @IsMediaTypeList()
  META_MEDIA_ALLOWED_TYPES: string = SOCIAL_MEDIA_TYPES;

  /** Messenger accepts attachments up to 25 MB. */
  @IsMaxBytes()
  META_MEDIA_MAX_BYTES: number = 25 * 1024 * 1024;

  @IsFetchTimeoutMs()
  META_MEDIA_FETCH_TIMEOUT_MS: number = 30_000;

  /** Redirects are followed only within the attachment's own origin. */
  @IsMaxRedirects()
  META_MEDIA_MAX_REDIRECTS: number = 3;

  /** Attempts of one send on 429, 5xx and Meta's throttling codes, the first included. */
  @IsSendMaxAttempts()
  META_SEND_MAX_ATTEMPTS: number = 4;

  @IsBackoffMs()
  META_SEND_INITIAL_BACKOFF_MS: number = 1_000;

  @IsBackoffMs()
  META_SEND_MAX_BACKOFF_MS: number = 8_000;

  /** Bounds one Send API call (an upload included). */
  @IsSendTimeoutMs()
  META_SEND_TIMEOUT_MS: number = 30_000;

  private parsedAccounts?: MetaAccount[];

  get accounts(): MetaAccount[] {
    this.parsedAccounts ??= [
      ...parseAccountSettings(this.META_PAGES).map((page) => ({ ...page, channel: 'messenger' as const })),
      ...parseAccountSettings(this.META_INSTAGRAM_ACCOUNTS).map((account) => ({
        ...account,
        channel: 'instagram' as const,
      })),
    ];
    return this.parsedAccounts;
  }

  /** Whether webhooks can be verified and at least one account is served. */
  get configured(): boolean {
    return Boolean(this.META_APP_SECRET && this.META_VERIFY_TOKEN && this.accounts.length > 0);
  }

  account(channel: SocialChannel, id: string): MetaAccount | undefined {
    return this.accounts.find((account) => account.channel === channel && account.id === id);
  }

  tenantOf(account: Pick<MetaAccountSettings, 'tenantId'>): string {
    return account.tenantId ?? this.SOCIAL_TENANT_ID;
  }

  graphBaseUrlOf(channel: SocialChannel): string {
    return channel === 'messenger' ? this.META_GRAPH_BASE_URL : this.META_INSTAGRAM_GRAPH_BASE_URL;
  }

  get mediaAllowedOrigins(): string[] {
    return splitList(this.META_MEDIA_ALLOWED_ORIGINS);
  }

  get mediaAllowedTypes(): string[] {
    return splitList(this.META_MEDIA_ALLOWED_TYPES);
  }
}
