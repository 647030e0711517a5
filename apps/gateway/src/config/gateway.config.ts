import { IsSettingsList } from '@ponte/channel-kit';
import { ServiceConfig } from '@ponte/platform';
import {
  IsDefined,
  IsEmail,
  IsInt,
  IsNotEmpty,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';
import { normalizeEmail } from '../accounts/email-address';
import { passwordProblems } from '../auth/password-policy';
import { parseInboxSettings, type WebchatInboxSettings } from '../webchat/webchat-inbox.settings';

/** The smallest HS256 key RFC 7518 §3.2 allows: as many bytes as the hash output. */
export const JWT_SECRET_MIN_BYTES = 32;

const ID_PATTERN = /^[^\s|]+$/;

/**
 * GATEWAY_JWT_SECRET: required when NODE_ENV=production, at least 32 bytes, and not a run of a few characters. Outside
 * production an unset secret means a random one per process (see AccessTokenKeys): tokens do not survive a restart, but
 * no well-known key ever signs anything.
 */
function IsJwtSecret(): PropertyDecorator {
  return (target, propertyName) => {
    ValidateIf(
      (config: GatewayConfig) => config.NODE_ENV === 'production' || config.GATEWAY_JWT_SECRET !== undefined,
    )(target, propertyName);
    IsDefined({
      message:
        '$property is required when NODE_ENV=production (at least 32 random bytes, e.g. `openssl rand -base64 48`)',
    })(target, propertyName);
    registerDecorator({
      name: 'isJwtSecret',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `$property must be at least ${JWT_SECRET_MIN_BYTES} bytes of random text (e.g. \`openssl rand -base64 48\`)`,
      },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          Buffer.byteLength(value, 'utf8') >= JWT_SECRET_MIN_BYTES &&
          new Set(value).size >= 8,
      },
    });
  };
}

/** The seeded admin's password must pass the same policy as every other password; the message never repeats it. */
function IsSeedPassword(): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isSeedPassword',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const config = args.object as GatewayConfig;
          return (
            typeof value === 'string' &&
            passwordProblems(value, adminContext(config), config.passwordPolicy).length === 0
          );
        },
        defaultMessage: (args: ValidationArguments) => {
          const config = args.object as GatewayConfig;
          const problems =
            typeof args.value === 'string'
              ? passwordProblems(args.value, adminContext(config), config.passwordPolicy)
              : ['it must be a string'];
          return `$property is too weak: ${problems.join('; ')}`;
        },
      },
    });
  };
}

function adminContext(config: GatewayConfig): { email?: string; displayName?: string } {
  return {
    ...(config.GATEWAY_ADMIN_EMAIL ? { email: normalizeEmail(config.GATEWAY_ADMIN_EMAIL) } : {}),
    displayName: config.GATEWAY_ADMIN_DISPLAY_NAME,
  };
}

/** The admin seed's e-mail and password go together: none of them (no seed) or both. */
function seedRequested(config: GatewayConfig): boolean {
  return config.GATEWAY_ADMIN_EMAIL !== undefined || config.GATEWAY_ADMIN_PASSWORD !== undefined;
}

/**
 * Settings of the gateway service; shared ones (Kafka, MongoDB, logging, NODE_ENV) come from ServiceConfig.
 * "Production" is NODE_ENV=production (the container images set it): there a missing or weak GATEWAY_JWT_SECRET stops
 * the boot.
 */
export class GatewayConfig extends ServiceConfig {
  override PORT: number = 3000;

  /** The agents' API takes small JSON bodies (attachments go by reference), so the platform's 1 MiB is lowered. */
  override HTTP_BODY_LIMIT_BYTES: number = 262_144;

  /** HS256 key of the access tokens; every gateway instance needs the same one. */
  @IsJwtSecret()
  GATEWAY_JWT_SECRET?: string;

  @IsString()
  @IsNotEmpty()
  GATEWAY_JWT_ISSUER: string = 'ponte-gateway';

  @IsString()
  @IsNotEmpty()
  GATEWAY_JWT_AUDIENCE: string = 'ponte-agent-api';

  /** Lifetime of an access token; short, because only the credentials version revokes it before it expires. */
  @IsInt()
  @Min(60)
  @Max(3_600)
  GATEWAY_ACCESS_TOKEN_TTL_SECONDS: number = 900;

  /** Lifetime of a refresh token; each use replaces it with a new one valid this long again. */
  @IsInt()
  @Min(3_600)
  @Max(90 * 24 * 3_600)
  GATEWAY_REFRESH_TOKEN_TTL_SECONDS: number = 14 * 24 * 3_600;

  /** Clock skew tolerated on `exp` and `nbf` between gateway instances. */
  @IsInt()
  @Min(0)
  @Max(60)
  GATEWAY_JWT_CLOCK_TOLERANCE_SECONDS: number = 5;

  /**
   * How long one instance may reuse an account's credentials version before reading it again. A change made through an
   * instance takes effect there at once; on the other instances within this delay. 0 reads it on every request.
   */
  @IsInt()
  @Min(0)
  @Max(30_000)
  GATEWAY_ACCOUNT_CACHE_MS: number = 2_000;

  /**
   * The tenant of logins that name none and of the seeded admin. A single-tenant deployment never changes it.
   */
  @IsString()
  @Matches(ID_PATTERN, { message: '$property must be an id without spaces or "|"' })
  @MaxLength(128)
  GATEWAY_DEFAULT_TENANT_ID: string = 'default';

  /** First admin, created on a boot that finds no admin in GATEWAY_DEFAULT_TENANT_ID; never overwritten. */
  @ValidateIf(seedRequested)
  @IsDefined({ message: '$property is required once GATEWAY_ADMIN_PASSWORD is set' })
  @IsEmail({}, { message: '$property must be an e-mail address' })
  @MaxLength(254)
  GATEWAY_ADMIN_EMAIL?: string;

  @ValidateIf(seedRequested)
  @IsDefined({ message: '$property is required once GATEWAY_ADMIN_EMAIL is set' })
  @IsSeedPassword()
  GATEWAY_ADMIN_PASSWORD?: string;

  /** The seeded admin's agent id in the router. */
  @IsString()
  @Matches(ID_PATTERN, { message: '$property must be an id without spaces or "|"' })
  @MaxLength(128)
  GATEWAY_ADMIN_AGENT_ID: string = 'admin';

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  GATEWAY_ADMIN_DISPLAY_NAME: string = 'Administrator';

  @IsInt()
  @Min(8)
  @Max(64)
  GATEWAY_PASSWORD_MIN_LENGTH: number = 12;

  /** Argon2id memory cost in KiB (OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane). */
  @IsInt()
  @Min(8_192)
  @Max(1_048_576)
  GATEWAY_PASSWORD_HASH_MEMORY_KIB: number = 19_456;

  @IsInt()
  @Min(2)
  @Max(10)
  GATEWAY_PASSWORD_HASH_TIME_COST: number = 2;

  /** Login attempts per client IP per window. */
  @IsInt()
  @Min(1)
  GATEWAY_LOGIN_RATE_LIMIT_PER_IP: number = 10;

  /** Login attempts per login e-mail per window, whether the account exists or not. */
  @IsInt()
  @Min(1)
  GATEWAY_LOGIN_RATE_LIMIT_PER_EMAIL: number = 10;

  @IsInt()
  @Min(1)
  @Max(3_600)
  GATEWAY_LOGIN_RATE_WINDOW_SECONDS: number = 60;

  /** Consecutive failed logins of one e-mail after which each further attempt waits twice as long as the last. */
  @IsInt()
  @Min(1)
  GATEWAY_LOGIN_BACKOFF_AFTER_FAILURES: number = 5;

  @IsInt()
  @Min(1)
  @Max(86_400)
  GATEWAY_LOGIN_BACKOFF_MAX_SECONDS: number = 900;

  /** Requests per client IP per minute on the other public routes (refresh, logout, API docs). */
  @IsInt()
  @Min(1)
  GATEWAY_PUBLIC_RATE_LIMIT_PER_IP: number = 60;

  /** Requests per agent per minute on authenticated routes. */
  @IsInt()
  @Min(1)
  GATEWAY_AGENT_RATE_LIMIT_PER_MINUTE: number = 600;

  /** How long a command route waits for the router's events before answering 202 with the command id. */
  @IsInt()
  @Min(0)
  @Max(30_000)
  GATEWAY_COMMAND_WAIT_MS: number = 3_000;

  /** How long an Idempotency-Key is remembered (the IETF draft suggests at least 24 hours). */
  @IsInt()
  @Min(60)
  @Max(30 * 24 * 3_600)
  GATEWAY_IDEMPOTENCY_TTL_SECONDS: number = 24 * 3_600;

  /** An open conversation this close to an SLA deadline is `due-soon` (the `sla` filter and `sla.state`). */
  @IsInt()
  @Min(1)
  @Max(24 * 60)
  GATEWAY_SLA_DUE_SOON_MINUTES: number = 15;

  /**
   * How often each WebSocket session re-checks its access token against the account (password, role or status change,
   * disabled): a revoked session is told why and disconnected within this delay plus GATEWAY_ACCOUNT_CACHE_MS.
   */
  @IsInt()
  @Min(100)
  @Max(300_000)
  GATEWAY_WS_REAUTH_INTERVAL_MS: number = 30_000;

  /** How long a WebSocket session reuses an agent's queues read from the router's roster before reading them again. */
  @IsInt()
  @Min(0)
  @Max(60_000)
  GATEWAY_WS_SCOPE_CACHE_MS: number = 5_000;

  /** Client messages (subscribe, unsubscribe, typing) per WebSocket per minute; more get a `too-many-requests` ack. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  GATEWAY_WS_RATE_LIMIT_PER_MINUTE: number = 120;

  /**
   * The web chat's websites, a JSON array: `[{"id","allowedOrigins"?,"identitySecret"?,"tenantId"?}]` (docs/webchat.md).
   * The default inbox `website` serves the demo page at /webchat/demo and accepts no other page. `[]`: no web chat.
   */
  @IsSettingsList(parseInboxSettings)
  GATEWAY_WEBCHAT_INBOXES: string = '[{"id":"website"}]';

  /** How long a visitor token lasts; a returning visitor within it keeps their conversation. */
  @IsInt()
  @Min(1)
  @Max(365)
  GATEWAY_WEBCHAT_VISITOR_TTL_DAYS: number = 30;

  /** Messages, typing and read receipts per visitor per minute, over the socket and the REST fallback together. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  GATEWAY_WEBCHAT_RATE_LIMIT_PER_MINUTE: number = 60;

  private parsedInboxes?: WebchatInboxSettings[];

  get webchatInboxes(): WebchatInboxSettings[] {
    this.parsedInboxes ??= parseInboxSettings(this.GATEWAY_WEBCHAT_INBOXES);
    return this.parsedInboxes;
  }

  webchatInbox(id: string): WebchatInboxSettings | undefined {
    return this.webchatInboxes.find((inbox) => inbox.id === id);
  }

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }

  get passwordPolicy(): { minLength: number } {
    return { minLength: this.GATEWAY_PASSWORD_MIN_LENGTH };
  }
}
