// class-transformer's @Type reads design-time metadata, so the polyfill must load before any DTO is declared.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { ContractLimits } from './contract.limits';

type ClassType = new () => object;

function compose(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, propertyKey) => decorators.forEach((decorate) => decorate(target, propertyKey));
}

function optionally(optional: boolean, ...decorators: PropertyDecorator[]): PropertyDecorator {
  return optional ? compose(IsOptional(), ...decorators) : compose(...decorators);
}

interface FieldOptions {
  optional?: boolean;
}

/** A non-empty opaque id (ours or a provider's); ids are never parsed, only compared. */
export function IsIdentifier({ optional = false }: FieldOptions = {}): PropertyDecorator {
  return optionally(optional, IsString(), IsNotEmpty(), MaxLength(ContractLimits.identifierLength));
}

export function IsText(maxLength: number, { optional = false }: FieldOptions = {}): PropertyDecorator {
  return optionally(optional, IsString(), MaxLength(maxLength));
}

export function IsOneOf(
  values: readonly string[],
  { optional = false }: FieldOptions = {},
): PropertyDecorator {
  return optionally(optional, IsIn([...values]));
}

// A full date-time with an explicit offset: a bare date or a local time would be read differently by each service.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Dates travel as ISO 8601 strings and stay strings in the typed value: no Date revival on either side. */
export function IsIsoDateTime({ optional = false }: FieldOptions = {}): PropertyDecorator {
  return optionally(
    optional,
    IsISO8601({ strict: true, strictSeparator: true }),
    Matches(ISO_DATE_TIME, { message: '$property must be an ISO 8601 date-time with a time zone' }),
  );
}

export function IsNestedObject(
  type: () => ClassType,
  { optional = false }: FieldOptions = {},
): PropertyDecorator {
  return optionally(optional, IsObject(), ValidateNested(), Type(type));
}

interface ListOptions extends FieldOptions {
  minSize?: number;
}

function IsList(
  maxSize: number,
  { optional = false, minSize = 0 }: ListOptions,
  ...itemDecorators: PropertyDecorator[]
): PropertyDecorator {
  return optionally(optional, IsArray(), ArrayMinSize(minSize), ArrayMaxSize(maxSize), ...itemDecorators);
}

export function IsNestedArray(
  type: () => ClassType,
  maxSize: number,
  options: ListOptions = {},
): PropertyDecorator {
  return IsList(maxSize, options, ValidateNested({ each: true }), Type(type));
}

export function IsTextList(
  maxItems: number,
  maxLength: number,
  options: ListOptions = {},
): PropertyDecorator {
  const each = { each: true };
  return IsList(maxItems, options, IsString(each), IsNotEmpty(each), MaxLength(maxLength, each));
}

/** A list of values each from a fixed set (channels, priorities…). */
export function IsOneOfList(
  values: readonly string[],
  maxItems: number,
  options: ListOptions = {},
): PropertyDecorator {
  return IsList(maxItems, options, IsIn([...values], { each: true }));
}

/**
 * Declares a property that must never be present. The tolerant reader would otherwise silently strip it, and
 * for some fields (inline attachment bytes) silently dropping data hides a producer bug.
 */
export function IsAbsent(reason: string): PropertyDecorator {
  return ValidateBy({
    name: 'isAbsent',
    validator: {
      validate: (value: unknown) => value === undefined,
      defaultMessage: (args) => `${args?.property ?? 'property'} is not allowed: ${reason}`,
    },
  });
}
