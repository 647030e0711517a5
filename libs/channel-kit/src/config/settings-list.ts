import { plainToInstance } from 'class-transformer';
import {
  registerDecorator,
  validateSync,
  type ValidationArguments,
  type ValidationError,
} from 'class-validator';

/** A settings list that cannot be used; the message names every problem and never quotes the input (it holds secrets). */
export class InvalidSettingsListError extends Error {
  override readonly name = 'InvalidSettingsListError';
}

export interface SettingsListOptions<T> {
  /** What an entry is, plural, for the messages: `bots`, `accounts`, `inboxes`. */
  what: string;
  /** Adjusts one parsed JSON object before validation (ids pasted as numbers, say). */
  prepare?: (entry: Record<string, unknown>) => void;
  /** Problems of the list as a whole beyond each entry's own (duplicates, settings that go together). */
  check?: (entries: readonly T[]) => string[];
}

/**
 * A JSON array of settings objects from one environment variable (`TELEGRAM_BOTS`, `META_PAGES`,
 * `GATEWAY_WEBCHAT_INBOXES`), each entry validated with class-validator against `type` and the list with `check`.
 * Empty text: no entry. Throws InvalidSettingsListError naming every problem as `[index].field: message`.
 */
export function parseSettingsList<T extends object>(
  json: string,
  type: new () => T,
  options: SettingsListOptions<T>,
): T[] {
  if (json.trim() === '') return [];
  let plain: unknown;
  try {
    plain = JSON.parse(json);
  } catch {
    // Not JSON.parse's message: it quotes the input, tokens included.
    throw new InvalidSettingsListError('is not valid JSON');
  }
  if (!Array.isArray(plain)) throw new InvalidSettingsListError(`must be a JSON array of ${options.what}`);
  const entries = plain.map((item: unknown) => {
    const candidate: unknown = isRecord(item) ? { ...item } : item;
    if (isRecord(candidate)) options.prepare?.(candidate);
    return plainToInstance(type, candidate);
  });
  const problems = entries.flatMap((entry, index) =>
    validateSync(entry, { forbidUnknownValues: true }).flatMap((error) => describe(error, `[${index}]`)),
  );
  problems.push(...(options.check?.(entries) ?? []));
  if (problems.length > 0) throw new InvalidSettingsListError(problems.join('; '));
  return entries;
}

/** `duplicate <what>: a, b` when a value appears more than once (undefined values are not compared). */
export function duplicateValues(what: string, values: readonly (string | undefined)[]): string[] {
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

/**
 * A setting that must parse as a settings list: `parse` gets the value and the whole config object (for lists whose
 * rules depend on another setting) and throws when it cannot; the validation message is its message, every problem.
 */
export function IsSettingsList<C extends object>(
  parse: (json: string, config: Partial<C>) => unknown,
): PropertyDecorator {
  return (target, propertyKey) => {
    const problemOf = (args: ValidationArguments | undefined): string | undefined => {
      try {
        parse(String(args?.value ?? ''), (args?.object ?? {}) as Partial<C>);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    };
    registerDecorator({
      name: 'isSettingsList',
      target: target.constructor,
      propertyName: propertyKey as string,
      validator: {
        validate: (value: unknown, args?: ValidationArguments) =>
          typeof value === 'string' && problemOf(args) === undefined,
        defaultMessage: (args?: ValidationArguments) => `$property ${problemOf(args) ?? 'must be a string'}`,
      },
    });
  };
}
