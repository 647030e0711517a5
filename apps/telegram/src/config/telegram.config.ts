import {
  OFFICE_DOCUMENT_TYPES,
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
import { IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import {
  type BotSettings,
  isUpdateMode,
  parseBotSettings,
  UPDATE_MODES,
  type UpdateMode,
} from './bot.settings';

/** What the Bot API delivers and this service accepts by default: pictures, sound, video and office documents. */
const TELEGRAM_MEDIA_TYPES = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'audio/*',
  'video/*',
  'text/plain',
  'text/csv',
  'application/pdf',
  'application/zip',
  ...OFFICE_DOCUMENT_TYPES,
].join(',');

/**
 * Settings of the telegram service; shared ones (Kafka, MongoDB, logging) come from ServiceConfig.
 *
 * Without TELEGRAM_BOTS the service runs (health, `npm start`): every webhook answers 404, nothing is polled and the
 * outbound topic is not consumed (outbound messages wait in Kafka).
 */
export class TelegramConfig extends ServiceConfig {
  override PORT: number = 3005;

  /** The tenant of the bots that do not name their own. */
  @IsString()
  @IsNotEmpty()
  TELEGRAM_TENANT_ID: string = 'default';

  /**
   * How updates arrive: `webhook` (Telegram POSTs them to `/webhooks/telegram/:botId`; production) or `polling`
   * (the service long-polls getUpdates; a developer machine with no public URL). Declared before TELEGRAM_BOTS, whose
   * check depends on it.
   */
  @IsIn(UPDATE_MODES)
  TELEGRAM_UPDATES: UpdateMode = 'webhook';

  /**
   * JSON array of bots: `[{"id","token","webhookSecret"?,"tenantId"?,"groups"?}]` (see the README). Empty: no bot.
   */
  @IsSettingsList<TelegramConfig>((json, config) =>
    parseBotSettings(json, isUpdateMode(config.TELEGRAM_UPDATES) ? config.TELEGRAM_UPDATES : 'webhook'),
  )
  TELEGRAM_BOTS: string = '';

  /** The Bot API origin; tests point it at a local server speaking the same wire format. */
  @IsHttpOrigin('https://api.telegram.org')
  TELEGRAM_API_ROOT: string = 'https://api.telegram.org';

  /**
   * When set (webhook mode), each bot's webhook is registered at start-up: setWebhook with
   * `{TELEGRAM_WEBHOOK_PUBLIC_URL}/webhooks/telegram/{id}` and its secret. Unset: register it yourself (README).
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s?#]+[^/\s?#]$/, {
    message: '$property must be an absolute http(s) URL without query or trailing slash',
  })
  TELEGRAM_WEBHOOK_PUBLIC_URL?: string;

  /** getUpdates' long-poll timeout (polling mode). */
  @IsInt()
  @Min(0)
  @Max(50)
  TELEGRAM_POLLING_TIMEOUT_SECONDS: number = 50;

  /** Pause after a failed getUpdates or a failed update (polling mode), doubled up to a minute. */
  @IsBackoffMs()
  TELEGRAM_POLLING_BACKOFF_MS: number = 1_000;

  /** Inbound media: the Bot API's getFile serves files up to 20 MB; set lower to keep big files out of the store. */
  @IsMaxBytes()
  TELEGRAM_MEDIA_MAX_BYTES: number = 20 * 1024 * 1024;

  /** Accepted media types (comma-separated, `type/*` allowed). */
  @IsMediaTypeList()
  TELEGRAM_MEDIA_ALLOWED_TYPES: string = TELEGRAM_MEDIA_TYPES;

  @IsFetchTimeoutMs()
  TELEGRAM_MEDIA_FETCH_TIMEOUT_MS: number = 30_000;

  /** File downloads are served by the API origin itself; a redirect, if ever followed, must stay on it. */
  @IsMaxRedirects()
  TELEGRAM_MEDIA_MAX_REDIRECTS: number = 0;

  /** Per bot and per instance: Telegram's broadcast limit is about 30 messages a second. */
  @IsNumber()
  @Min(0.01)
  TELEGRAM_BOT_MESSAGES_PER_SECOND: number = 30;

  /** Per private chat and per instance: Telegram asks for no more than one message a second. */
  @IsNumber()
  @Min(0.01)
  TELEGRAM_CHAT_MESSAGES_PER_SECOND: number = 1;

  /** Per group chat and per instance: Telegram allows 20 messages a minute in a group. */
  @IsNumber()
  @Min(0.01)
  TELEGRAM_GROUP_MESSAGES_PER_MINUTE: number = 20;

  /** Attempts of one send on 429, 5xx and connection refused, the first included. */
  @IsSendMaxAttempts()
  TELEGRAM_SEND_MAX_ATTEMPTS: number = 4;

  @IsBackoffMs()
  TELEGRAM_SEND_INITIAL_BACKOFF_MS: number = 1_000;

  @IsBackoffMs()
  TELEGRAM_SEND_MAX_BACKOFF_MS: number = 8_000;

  /**
   * The longest `retry_after` of a 429 that is waited out; a longer flood wait fails the message
   * (TELEGRAM_FLOOD_WAIT) instead of holding its partition that long.
   */
  @IsInt()
  @Min(1)
  @Max(3_600)
  TELEGRAM_SEND_MAX_RETRY_AFTER_SECONDS: number = 60;

  /** Bounds one Bot API call (a send with its upload included). */
  @IsSendTimeoutMs()
  TELEGRAM_SEND_TIMEOUT_MS: number = 30_000;

  private parsedBots?: BotSettings[];

  get bots(): BotSettings[] {
    this.parsedBots ??= parseBotSettings(this.TELEGRAM_BOTS, this.TELEGRAM_UPDATES);
    return this.parsedBots;
  }

  get configured(): boolean {
    return this.bots.length > 0;
  }

  bot(id: string): BotSettings | undefined {
    return this.bots.find((bot) => bot.id === id);
  }

  tenantOf(bot: BotSettings): string {
    return bot.tenantId ?? this.TELEGRAM_TENANT_ID;
  }

  get mediaAllowedTypes(): string[] {
    return splitList(this.TELEGRAM_MEDIA_ALLOWED_TYPES);
  }
}
