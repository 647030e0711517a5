import { IsDefined, IsInt, Matches, Max, Min, ValidateIf } from 'class-validator';

/**
 * Validation of the settings every channel service has under its own prefix (SMS_MEDIA_MAX_BYTES,
 * WHATSAPP_CLOUD_MEDIA_MAX_BYTES…): each decorator stands for the stack of class-validator decorators the field had,
 * with the same messages. Names and defaults stay in the service's config class.
 */

const ORIGIN = /^https?:\/\/[^/\s?#]+$/;
const ORIGIN_LIST = /^https?:\/\/[^/\s,?#]+(,https?:\/\/[^/\s,?#]+)*$/;
const MEDIA_TYPE_LIST = /^[a-z0-9.+-]+\/([a-z0-9.+-]+|\*)(,[a-z0-9.+-]+\/([a-z0-9.+-]+|\*))*$/;

/** Applies decorators as if stacked above a property in this order (the last one is applied first). */
function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, propertyKey) => {
    for (const decorator of [...decorators].reverse()) decorator(target, propertyKey);
  };
}

/** A provider API origin (`https://api.twilio.com`): scheme and host, no path. */
export function IsHttpOrigin(example: string): PropertyDecorator {
  return Matches(ORIGIN, { message: `$property must be an http(s) origin such as ${example}` });
}

/** Origins media may be fetched from, comma-separated. */
export function IsOriginList(): PropertyDecorator {
  return Matches(ORIGIN_LIST, { message: '$property must be a comma-separated list of http(s) origins' });
}

/** Media types, comma-separated, `type/*` allowed. */
export function IsMediaTypeList(): PropertyDecorator {
  return Matches(MEDIA_TYPE_LIST, { message: '$property must be a comma-separated list of media types' });
}

/** A size limit in bytes. */
export function IsMaxBytes(): PropertyDecorator {
  return stacked(IsInt(), Min(1));
}

/** The deadline of one media download. */
export function IsFetchTimeoutMs(): PropertyDecorator {
  return stacked(IsInt(), Min(100));
}

/** Redirects a media download may follow. */
export function IsMaxRedirects(): PropertyDecorator {
  return stacked(IsInt(), Min(0), Max(10));
}

/** Attempts of one send, the first included. */
export function IsSendMaxAttempts(): PropertyDecorator {
  return stacked(IsInt(), Min(1), Max(10));
}

/** A backoff between send attempts. */
export function IsBackoffMs(): PropertyDecorator {
  return stacked(IsInt(), Min(1));
}

/** The deadline of one call to the provider's API. */
export function IsSendTimeoutMs(): PropertyDecorator {
  return stacked(IsInt(), Min(1_000));
}

/**
 * Credentials that go together: none of them (the provider is off) or all of them; a partial set fails at boot
 * naming what is missing, rather than a webhook failing at 3 a.m. `settings` must be declared before the class: the
 * decorators run while it is being defined.
 */
export function RequiredTogether(settings: readonly string[]): PropertyDecorator {
  return (target, propertyKey) => {
    ValidateIf((config: Record<string, unknown>) => settings.some((name) => config[name] !== undefined))(
      target,
      propertyKey,
    );
    IsDefined({ message: `$property is required once any of ${settings.join(', ')} is set` })(
      target,
      propertyKey,
    );
  };
}

/** `a, b,,c` → `['a', 'b', 'c']`. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
