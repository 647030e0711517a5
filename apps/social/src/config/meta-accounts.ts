import { plainToInstance } from 'class-transformer';
import {
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  validateSync,
  type ValidationError,
} from 'class-validator';

/** The two Meta channels this service serves; each has its own webhook `object` and outbound topic. */
export const SOCIAL_CHANNELS = ['messenger', 'instagram'] as const;
export type SocialChannel = (typeof SOCIAL_CHANNELS)[number];

/** A Facebook Page (Messenger) or an Instagram professional account served here. */
export class MetaAccountSettings {
  /** The page id, or the Instagram account id: the `channelAccountId` of its messages and Meta's `recipient.id`. */
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, {
    message:
      'id must be the page or Instagram account id (Meta gives digits; A-Z, a-z, 0-9, _ and - accepted)',
  })
  id!: string;

  /** The page access token (Messenger) or the Instagram account's token, for the Send API. Never logged. */
  @IsString()
  @IsNotEmpty({ message: 'accessToken is required' })
  accessToken!: string;

  /** The tenant whose conversations the account serves; SOCIAL_TENANT_ID when unset. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  tenantId?: string;
}

/** A configured account with the channel it serves. */
export interface MetaAccount extends MetaAccountSettings {
  channel: SocialChannel;
}

export class InvalidAccountSettingsError extends Error {
  override readonly name = 'InvalidAccountSettingsError';
}

/** `META_PAGES` / `META_INSTAGRAM_ACCOUNTS` as accounts; throws naming every problem, never quoting a token. */
export function parseAccountSettings(json: string): MetaAccountSettings[] {
  if (json.trim() === '') return [];
  let plain: unknown;
  try {
    plain = JSON.parse(json);
  } catch {
    // Not JSON.parse's message: it quotes the input, tokens included.
    throw new InvalidAccountSettingsError('is not valid JSON');
  }
  if (!Array.isArray(plain)) throw new InvalidAccountSettingsError('must be a JSON array of accounts');
  const accounts = plain.map((item: unknown) => {
    const candidate = item !== null && typeof item === 'object' ? { ...item } : item;
    // Ids are often pasted as numbers; Meta's ids exceed 2^53, so only strings are exact, but small ones are accepted.
    if (
      candidate &&
      typeof candidate === 'object' &&
      typeof (candidate as { id?: unknown }).id === 'number'
    ) {
      (candidate as { id: unknown }).id = String((candidate as { id: number }).id);
    }
    return plainToInstance(MetaAccountSettings, candidate);
  });
  const problems = accounts.flatMap((account, index) =>
    validateSync(account, { forbidUnknownValues: true }).flatMap((error) => describe(error, `[${index}]`)),
  );
  const ids = accounts.map((account) => account.id).filter((id): id is string => typeof id === 'string');
  const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
  if (repeated.length > 0) problems.push(`duplicate account ids: ${[...new Set(repeated)].join(', ')}`);
  if (problems.length > 0) throw new InvalidAccountSettingsError(problems.join('; '));
  return accounts;
}

function describe(error: ValidationError, path: string): string[] {
  const here = `${path}.${error.property}`;
  const own = Object.values(error.constraints ?? {}).map((message) => `${here}: ${message}`);
  return [...own, ...(error.children ?? []).flatMap((child) => describe(child, here))];
}
