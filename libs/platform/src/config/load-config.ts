import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';

export class ConfigValidationError extends Error {
  readonly code = 'CONFIG_INVALID';

  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration of ${service}:\n  - ${problems.join('\n  - ')}`);
    this.name = ConfigValidationError.name;
  }
}

type ConfigClass<T> = new () => T;

/**
 * Builds the typed config of a service from an environment map and validates it before anything connects.
 * Only the variables the class declares are read; strings are converted to the declared property types.
 */
export function loadConfig<T extends object>(
  configClass: ConfigClass<T>,
  env: Record<string, string | undefined>,
  service: string,
): T {
  const declared = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(configClass, '', true, false)
      .map((metadata) => metadata.propertyName),
  );
  const plain = Object.fromEntries(
    [...declared]
      .filter((name) => env[name] !== undefined && env[name] !== '')
      .map((name) => [name, env[name]]),
  );
  const config = plainToInstance(configClass, plain, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigValidationError(service, errors.flatMap(describeError));
  return config;
}

function describeError(error: ValidationError): string[] {
  const constraints = Object.values(error.constraints ?? {});
  const own = constraints.length > 0 ? [`${constraints.join('; ')}`] : [];
  return [...own, ...(error.children ?? []).flatMap(describeError)];
}
