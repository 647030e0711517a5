import {
  OFFICE_DOCUMENT_TYPES,
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
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';

const PHONE_NUMBER_ID_LIST = /^\s*\d{5,30}\s*(,\s*\d{5,30}\s*)*$/;

/** What LocalAuth and RemoteAuth accept as a client id: it names the session's directory. */
const SESSION_ID = '[A-Za-z0-9_-]{1,64}';
const SESSION_LIST = new RegExp(`^\\s*${SESSION_ID}\\s*(,\\s*${SESSION_ID}\\s*)*$`);
/** `120363025555555555@g.us`, or the older `{creator phone}-{unix time}@g.us`. */
const GROUP_ID = '\\d{5,30}(-\\d{5,20})?@g\\.us';
const GROUP_ENTRY = `${SESSION_ID}=(\\*|${GROUP_ID})`;
const GROUP_LIST = new RegExp(`^\\s*${GROUP_ENTRY}\\s*(,\\s*${GROUP_ENTRY}\\s*)*$`);

export const WEB_AUTH_STRATEGIES = ['local', 'remote'] as const;
export type WebAuthStrategy = (typeof WEB_AUTH_STRATEGIES)[number];

/** One configured whatsapp-web.js session. */
export interface WebSessionSettings {
  id: string;
  /** Group chats whose messages are published (`all`, or these group ids); others are ignored. */
  groups: 'all' | ReadonlySet<string>;
}

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
  ...OFFICE_DOCUMENT_TYPES,
].join(',');

/**
 * Settings of the whatsapp service; shared ones (Kafka, MongoDB, logging) come from ServiceConfig.
 *
 * Both providers are optional so the service boots in development without a Meta app or a browser: until the four
 * WHATSAPP_CLOUD_* credentials are all set, `/webhooks/whatsapp` answers 503; without WHATSAPP_WEB_SESSIONS no
 * Chromium is launched; with neither, the outbound topic is not consumed (outbound messages wait in Kafka).
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
   * Inbound media: a ceiling over WhatsApp's own per-kind limits (image 5 MB, audio and video 16 MB, document 100 MB,
   * sticker 500 KB), which always apply; lower it to keep big documents out of the blob store. Outbound media are
   * judged by the capabilities registry of @ponte/contracts alone.
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

  /** Bounds the upload of an outbound file to Graph (`POST /{phone-number-id}/media`), up to 100 MB. */
  @IsSendTimeoutMs()
  WHATSAPP_CLOUD_MEDIA_UPLOAD_TIMEOUT_MS: number = 120_000;

  /**
   * The whatsapp-web.js sessions, one WhatsApp number each, comma-separated ids (letters, digits, `_`, `-`; e.g. the
   * number itself). The channel account of a session is `web:{id}`. None: no browser is launched.
   */
  @IsOptional()
  @Matches(SESSION_LIST, {
    message: '$property must be a comma-separated list of session ids (letters, digits, "_" and "-")',
  })
  @IsUniqueList()
  WHATSAPP_WEB_SESSIONS?: string;

  /**
   * Group chats a session publishes, as `{session id}={group id}` or `{session id}=*` (every group), comma-separated.
   * Group messages of other chats are ignored.
   */
  @IsOptional()
  @Matches(GROUP_LIST, {
    message: '$property must be a comma-separated list of {session id}={group id}@g.us or {session id}=*',
  })
  @NamesConfiguredSessions()
  WHATSAPP_WEB_GROUPS?: string;

  /** `local`: the session on disk under WHATSAPP_WEB_DATA_DIR; `remote`: backed up to MongoDB as well (RemoteAuth). */
  @IsIn(WEB_AUTH_STRATEGIES)
  WHATSAPP_WEB_AUTH: WebAuthStrategy = 'local';

  /** The browser profiles of the sessions (what keeps them paired across restarts) and WhatsApp Web's page cache. */
  @IsString()
  @IsNotEmpty()
  WHATSAPP_WEB_DATA_DIR: string = '.ponte/whatsapp-web';

  /** The system Chromium (Debian's `chromium`); puppeteer never downloads a browser. */
  @IsString()
  @IsNotEmpty()
  WHATSAPP_WEB_CHROMIUM_PATH: string = '/usr/bin/chromium';

  /** Extra Chromium switches, space-separated (containers without user namespaces need `--no-sandbox`). */
  @IsString()
  WHATSAPP_WEB_CHROMIUM_ARGS: string = '';

  /** Reconnects after a failure (a dropped connection, a browser that would not start) before a session is `lost`. */
  @IsInt()
  @Min(0)
  @Max(100)
  WHATSAPP_WEB_RECONNECT_ATTEMPTS: number = 5;

  @IsBackoffMs()
  WHATSAPP_WEB_RECONNECT_INITIAL_BACKOFF_MS: number = 2_000;

  @IsBackoffMs()
  WHATSAPP_WEB_RECONNECT_MAX_BACKOFF_MS: number = 60_000;

  /** How long a connection attempt may take to show a QR code or become ready; longer counts as a failure. */
  @IsInt()
  @Min(1)
  WHATSAPP_WEB_CONNECT_TIMEOUT_MS: number = 180_000;

  /** QR codes shown before pairing is given up (the session is then `lost`); 0: until someone scans one. */
  @IsInt()
  @Min(0)
  WHATSAPP_WEB_QR_MAX_RETRIES: number = 0;

  /** RemoteAuth's backup period (whatsapp-web.js accepts 1 minute or more). */
  @IsInt()
  @Min(60_000)
  WHATSAPP_WEB_REMOTE_BACKUP_INTERVAL_MS: number = 300_000;

  /**
   * Inbound media larger than this is not downloaded (the agent gets a note). The bytes cross the browser as base64,
   * so keep it moderate; WhatsApp's own limits apply anyway.
   */
  @IsMaxBytes()
  WHATSAPP_WEB_MEDIA_MAX_BYTES: number = 16 * 1024 * 1024;

  @IsMediaTypeList()
  WHATSAPP_WEB_MEDIA_ALLOWED_TYPES: string = WHATSAPP_MEDIA_TYPES;

  /** When set, `/sessions` (state, QR codes, restarts) requires `Authorization: Bearer {token}`. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  WHATSAPP_WEB_ADMIN_TOKEN?: string;

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

  get webSessions(): WebSessionSettings[] {
    const groups = new Map<string, Set<string> | 'all'>();
    for (const entry of splitList(this.WHATSAPP_WEB_GROUPS ?? '')) {
      const [sessionId = '', groupId = ''] = entry.split('=').map((part) => part.trim());
      const current = groups.get(sessionId);
      if (groupId === '*' || current === 'all') groups.set(sessionId, 'all');
      else groups.set(sessionId, new Set([...(current ?? []), groupId]));
    }
    return splitList(this.WHATSAPP_WEB_SESSIONS ?? '').map((id) => ({
      id,
      groups: groups.get(id) ?? new Set<string>(),
    }));
  }

  get webMediaAllowedTypes(): string[] {
    return splitList(this.WHATSAPP_WEB_MEDIA_ALLOWED_TYPES);
  }

  get webChromiumArgs(): string[] {
    return this.WHATSAPP_WEB_CHROMIUM_ARGS.split(/\s+/).filter((arg) => arg.length > 0);
  }
}

/** A comma-separated list without repeats. */
function IsUniqueList(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isUniqueList',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return true;
          const items = splitList(value);
          return new Set(items).size === items.length;
        },
        defaultMessage: () => '$property lists a session twice',
      },
    },
    options,
  );
}

/** Every `{session id}=…` of WHATSAPP_WEB_GROUPS names a session of WHATSAPP_WEB_SESSIONS. */
function NamesConfiguredSessions(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'namesConfiguredSessions',
      validator: {
        validate: (value: unknown, args) => {
          if (typeof value !== 'string') return true;
          const config = args?.object as WhatsappConfig | undefined;
          const sessions = new Set(splitList(config?.WHATSAPP_WEB_SESSIONS ?? ''));
          return splitList(value).every((entry) => sessions.has(entry.split('=')[0]?.trim() ?? ''));
        },
        defaultMessage: () => '$property names a session that is not in WHATSAPP_WEB_SESSIONS',
      },
    },
    options,
  );
}
