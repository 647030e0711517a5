import { duplicateValues, parseSettingsList } from '@ponte/channel-kit';
import { IsNotEmpty, IsOptional, IsString, Matches } from 'class-validator';

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

/** `META_PAGES` / `META_INSTAGRAM_ACCOUNTS` as accounts; throws InvalidSettingsListError naming every problem. */
export function parseAccountSettings(json: string): MetaAccountSettings[] {
  return parseSettingsList(json, MetaAccountSettings, {
    what: 'accounts',
    // Ids are often pasted as numbers; Meta's ids exceed 2^53, so only strings are exact, but small ones are accepted.
    prepare: (entry) => {
      if (typeof entry['id'] === 'number') entry['id'] = String(entry['id']);
    },
    check: (accounts) =>
      duplicateValues(
        'account ids',
        accounts.map((account) => (typeof account.id === 'string' ? account.id : undefined)),
      ),
  });
}
