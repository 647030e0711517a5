import { duplicateValues, parseSettingsList } from '@ponte/channel-kit';
import {
  IsArray,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';

/** `123456789:AAH…`: the bot's numeric id, a colon and the secret part BotFather gave. */
const BOT_TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{20,}$/;
/** What Telegram accepts as `secret_token` of setWebhook: 1-256 characters of A-Z, a-z, 0-9, `_` and `-`. */
const WEBHOOK_SECRET = /^[A-Za-z0-9_-]+$/;
const CHAT_ID = /^-?\d{1,20}$/;

/** One bot this service serves. */
export class BotSettings {
  /**
   * Our name of the bot: the `channelAccountId` of its messages, the `:botId` of its webhook URL and the key of the
   * outbound messages it sends. Stable: renaming it splits the bot's conversations.
   */
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/, { message: 'id must be [a-z0-9_-], at most 64 characters' })
  id!: string;

  /** BotFather's token. Never logged. */
  @Matches(BOT_TOKEN, { message: 'token must be a bot token as BotFather gives it (123456789:AAH…)' })
  token!: string;

  /**
   * The `secret_token` given to setWebhook: Telegram sends it back in `X-Telegram-Bot-Api-Secret-Token` on every
   * webhook. Required in webhook mode (see TelegramConfig); a random secret, 16 to 256 characters.
   */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'webhookSecret must be at least 16 characters (a random secret)' })
  @MaxLength(256, { message: 'webhookSecret must be at most 256 characters (Telegram’s limit)' })
  @Matches(WEBHOOK_SECRET, {
    message: 'webhookSecret may only contain A-Z, a-z, 0-9, "_" and "-" (Telegram’s rule)',
  })
  webhookSecret?: string;

  /** The tenant whose conversations this bot serves; TELEGRAM_TENANT_ID when unset. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  tenantId?: string;

  /**
   * Group chats whose messages are published: `"all"`, or a list of chat ids (`-1001234567890`). Others are ignored,
   * as by default every group is: a support bot answers people, not rooms.
   */
  @IsOptional()
  @ValidateIf((settings: BotSettings) => settings.groups !== 'all')
  @IsArray({ message: 'groups must be "all" or a list of chat ids' })
  @Matches(CHAT_ID, { each: true, message: 'groups must list chat ids such as -1001234567890' })
  groups?: 'all' | string[];
}

export const UPDATE_MODES = ['webhook', 'polling'] as const;
export type UpdateMode = (typeof UPDATE_MODES)[number];

/** `TELEGRAM_BOTS` as bots; throws InvalidSettingsListError naming every problem. Empty: no bot. */
export function parseBotSettings(json: string, mode: UpdateMode): BotSettings[] {
  return parseSettingsList(json, BotSettings, {
    what: 'bots',
    // Chat ids are numbers in Telegram's JSON; accept them as such too.
    prepare: (entry) => {
      if (Array.isArray(entry['groups'])) {
        entry['groups'] = entry['groups'].map((group: unknown) =>
          typeof group === 'number' ? String(group) : group,
        );
      }
    },
    check: (bots) => [
      ...(mode === 'webhook'
        ? bots.flatMap((bot, index) =>
            bot.webhookSecret === undefined
              ? [`[${index}].webhookSecret is required in webhook mode (TELEGRAM_UPDATES=webhook)`]
              : [],
          )
        : []),
      ...duplicateValues(
        'bot ids',
        bots.map((bot) => bot.id),
      ),
      // Two entries of one bot would take each other's updates.
      ...duplicateValues(
        'bots (one bot, by its numeric id, configured twice)',
        bots.map((bot) => bot.token?.split(':')[0]),
      ),
    ],
  });
}

/** Whether `TELEGRAM_UPDATES` is one of the modes. */
export function isUpdateMode(value: unknown): value is UpdateMode {
  return typeof value === 'string' && (UPDATE_MODES as readonly string[]).includes(value);
}
