import { plainToInstance } from 'class-transformer';
import {
  IsArray,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
  validateSync,
  type ValidationError,
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

export class InvalidBotSettingsError extends Error {
  override readonly name = 'InvalidBotSettingsError';
}

export const UPDATE_MODES = ['webhook', 'polling'] as const;
export type UpdateMode = (typeof UPDATE_MODES)[number];

/** `TELEGRAM_BOTS` as bots; throws InvalidBotSettingsError naming every problem. Empty: no bot. */
export function parseBotSettings(json: string, mode: UpdateMode): BotSettings[] {
  if (json.trim() === '') return [];
  let plain: unknown;
  try {
    plain = JSON.parse(json);
  } catch {
    // Not JSON.parse's message: it quotes the input, tokens included.
    throw new InvalidBotSettingsError('is not valid JSON');
  }
  if (!Array.isArray(plain)) throw new InvalidBotSettingsError('must be a JSON array of bots');
  const bots = plain.map((item: unknown) => {
    const candidate = item !== null && typeof item === 'object' ? { ...item } : item;
    // Chat ids are numbers in Telegram's JSON; accept them as such too.
    if (isRecord(candidate) && Array.isArray(candidate['groups'])) {
      candidate['groups'] = candidate['groups'].map((group: unknown) =>
        typeof group === 'number' ? String(group) : group,
      );
    }
    return plainToInstance(BotSettings, candidate);
  });
  const problems = bots.flatMap((bot, index) =>
    validateSync(bot, { forbidUnknownValues: true }).flatMap((error) => describe(error, `[${index}]`)),
  );
  if (mode === 'webhook') {
    bots.forEach((bot, index) => {
      if (bot.webhookSecret === undefined) {
        problems.push(`[${index}].webhookSecret is required in webhook mode (TELEGRAM_UPDATES=webhook)`);
      }
    });
  }
  problems.push(
    ...duplicates(
      'bot ids',
      bots.map((bot) => bot.id),
    ),
  );
  // Two entries of one bot would take each other's updates.
  problems.push(
    ...duplicates(
      'bots (one bot, by its numeric id, configured twice)',
      bots.map((bot) => bot.token?.split(':')[0]),
    ),
  );
  if (problems.length > 0) throw new InvalidBotSettingsError(problems.join('; '));
  return bots;
}

/** Whether `TELEGRAM_UPDATES` is one of the modes. */
export function isUpdateMode(value: unknown): value is UpdateMode {
  return typeof value === 'string' && (UPDATE_MODES as readonly string[]).includes(value);
}

function duplicates(what: string, values: readonly (string | undefined)[]): string[] {
  const present = values.filter((value): value is string => value !== undefined);
  const repeated = present.filter((value, index) => present.indexOf(value) !== index);
  return repeated.length > 0 ? [`duplicate ${what}: ${[...new Set(repeated)].join(', ')}`] : [];
}

function describe(error: ValidationError, path: string): string[] {
  const here = `${path}.${error.property}`;
  const own = Object.values(error.constraints ?? {}).map((message) => `${here}: ${message}`);
  return [...own, ...(error.children ?? []).flatMap((child) => describe(child, here))];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
