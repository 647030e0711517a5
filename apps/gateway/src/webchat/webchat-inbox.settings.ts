import { duplicateValues, parseSettingsList } from '@ponte/channel-kit';
import { IsArray, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

/** One website whose visitors chat with the team: `GATEWAY_WEBCHAT_INBOXES` holds a JSON array of them. */
export class WebchatInboxSettings {
  /** The inbox: the `channelAccountId` of its messages and the widget's `data-inbox`. Stable. */
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/, { message: 'id must be [a-z0-9_-], at most 64 characters' })
  id!: string;

  /**
   * Origins (`https://shop.example`) of the pages that may open visitor sessions, checked against the `Origin` header
   * of the session request and of the socket handshake. Unset: only pages of the gateway itself (the demo page).
   */
  @IsOptional()
  @IsArray({ message: 'allowedOrigins must be a list of origins' })
  @Matches(/^https?:\/\/[^/\s?#]+$/, {
    each: true,
    message: 'allowedOrigins must list http(s) origins such as https://shop.example (no path)',
  })
  allowedOrigins?: string[];

  /**
   * The HMAC-SHA256 key the website signs its logged-in user's e-mail or phone with (identity verification). Unset:
   * every identity a visitor gives stays an unverified claim. Never logged.
   */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'identitySecret must be at least 32 characters of random text' })
  @MaxLength(512)
  identitySecret?: string;

  /** The tenant whose conversations the inbox feeds; GATEWAY_DEFAULT_TENANT_ID when unset. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @Matches(/^[^\s|]+$/, { message: 'tenantId must be an id without spaces or "|"' })
  tenantId?: string;
}

/** `GATEWAY_WEBCHAT_INBOXES` as inboxes; throws InvalidSettingsListError naming every problem, never a secret. */
export function parseInboxSettings(json: string): WebchatInboxSettings[] {
  return parseSettingsList(json, WebchatInboxSettings, {
    what: 'inboxes',
    check: (inboxes) =>
      duplicateValues(
        'inbox ids',
        inboxes.map((inbox) => inbox.id),
      ),
  });
}
