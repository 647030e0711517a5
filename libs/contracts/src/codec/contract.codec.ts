import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidatorOptions } from 'class-validator';
import { EnvelopeSchema, type EnvelopeOf } from '../envelope/envelope.model';
import { envelopeTypeFor, topicSpec, type PayloadOf } from '../topics/topic-payload.registry';
import { channelOfOutboundTopic, isTopicName, type TopicName } from '../topics/topic.constants';
import {
  ContractViolationError,
  toContractErrors,
  type ContractError,
  type ParseResult,
} from '../validation/contract.error';
import { ContractLimits } from '../validation/contract.limits';
import { cacheValidationMetadata } from './validation-metadata.cache';

cacheValidationMetadata();

/**
 * `read` is the tolerant reader: unknown fields are dropped so producers can add optional fields first.
 * `write` is the strict producer: unknown fields and a mismatched `type` are errors.
 */
type Mode = 'read' | 'write';

const validatorOptions: Record<Mode, ValidatorOptions> = {
  read: { whitelist: true, forbidNonWhitelisted: false, forbidUnknownValues: true },
  write: { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true },
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

type Plain = Record<string, unknown>;

function failure(path: string, constraint: string, message: string): { ok: false; errors: ContractError[] } {
  return { ok: false, errors: [{ path, constraint, message }] };
}

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function prefixed(prefix: string, property: string): string {
  return prefix ? `${prefix}.${property}` : property;
}

function validateAs<V extends object>(
  type: new () => V,
  plain: Plain,
  mode: Mode,
  prefix: string,
): { value: V; errors: ContractError[] } {
  const value = plainToInstance(type, plain);
  const errors = toContractErrors(validateSync(value, validatorOptions[mode]), prefix);
  return { value, errors };
}

function validatePayload<T extends TopicName>(
  topic: T,
  data: unknown,
  mode: Mode,
  prefix: string,
): ParseResult<PayloadOf<T>> {
  if (!isPlainObject(data)) return failure(prefix, 'isObject', `${prefix || 'payload'} must be an object`);
  const { value, errors } = validateAs(topicSpec(topic).payloadClass(data), data, mode, prefix);
  const channel = channelOfOutboundTopic(topic);
  if (channel !== undefined && typeof data['channel'] === 'string' && data['channel'] !== channel) {
    const path = prefixed(prefix, 'channel');
    errors.push({ path, constraint: 'matchesTopic', message: `channel must be ${channel} on ${topic}` });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: value as PayloadOf<T> };
}

function validateEnvelope<T extends TopicName>(
  topic: T,
  plain: unknown,
  mode: Mode,
): ParseResult<EnvelopeOf<T>> {
  if (!isTopicName(topic)) return failure('', 'isTopicName', `${String(topic)} is not a Ponte topic`);
  if (!isPlainObject(plain)) return failure('', 'isObject', 'envelope must be a JSON object');
  const envelope = validateAs(EnvelopeSchema, plain, mode, '');
  const errors = envelope.errors.filter((error) => !(error.path === 'data' && isPlainObject(plain['data'])));
  const data = isPlainObject(plain['data']) ? validatePayload(topic, plain['data'], mode, 'data') : undefined;
  if (data && !data.ok) errors.push(...data.errors);
  if (mode === 'write' && typeof plain['type'] === 'string') {
    const expected = envelopeTypeFor(topic, plain['data']);
    if (plain['type'] !== expected) {
      errors.push({
        path: 'type',
        constraint: 'matchesTopic',
        message: `type must be ${expected} on ${topic}`,
      });
    }
  }
  if (errors.length > 0 || !data?.ok) return { ok: false, errors };
  return { ok: true, value: { ...envelope.value, data: data.value } as EnvelopeOf<T> };
}

function decodeText(bytes: Uint8Array | string): ParseResult<string> {
  if (typeof bytes === 'string') return { ok: true, value: bytes };
  if (!(bytes instanceof Uint8Array))
    return failure('', 'isBytes', 'message value must be bytes or a string');
  try {
    return { ok: true, value: utf8.decode(bytes) };
  } catch {
    return failure('', 'isUtf8', 'message value is not valid UTF-8');
  }
}

function decode<T extends TopicName>(
  topic: T,
  bytes: Uint8Array | string,
  mode: Mode,
): ParseResult<EnvelopeOf<T>> {
  const text = decodeText(bytes);
  if (!text.ok) return text;
  const size = Buffer.byteLength(text.value, 'utf8');
  if (size > ContractLimits.envelopeBytes) {
    return failure('', 'maxBytes', `envelope is ${size} bytes, more than ${ContractLimits.envelopeBytes}`);
  }
  let plain: unknown;
  try {
    plain = JSON.parse(text.value);
  } catch (error) {
    return failure('', 'isJson', `message value is not JSON: ${(error as Error).message}`);
  }
  try {
    return validateEnvelope(topic, plain, mode);
  } catch (error) {
    // Validation recurses; absurdly deep junk can exhaust the stack, which is still just a bad message.
    return failure('', 'isValidatable', `envelope could not be validated: ${(error as Error).message}`);
  }
}

/**
 * Reads a message as a consumer: never throws, drops unknown fields (tolerant reader) and returns the typed
 * envelope or every contract error. Dates stay ISO strings in the value.
 */
export function parse<T extends TopicName>(topic: T, bytes: Uint8Array | string): ParseResult<EnvelopeOf<T>> {
  return decode(topic, bytes, 'read');
}

/**
 * Serializes an envelope as a producer. Validates exactly the bytes that will be sent, strictly: unknown
 * fields, invalid payloads and a `type` that does not match the topic throw ContractViolationError.
 */
export function encode<T extends TopicName>(topic: T, envelope: EnvelopeOf<T>): Buffer {
  let json: string | undefined;
  try {
    json = JSON.stringify(envelope);
  } catch (error) {
    throw new ContractViolationError(topic, [
      {
        path: '',
        constraint: 'isJson',
        message: `envelope cannot be serialized: ${(error as Error).message}`,
      },
    ]);
  }
  if (json === undefined) {
    throw new ContractViolationError(topic, [
      { path: '', constraint: 'isObject', message: 'envelope is missing' },
    ]);
  }
  const result = decode(topic, json, 'write');
  if (!result.ok) throw new ContractViolationError(topic, result.errors);
  return Buffer.from(json, 'utf8');
}

/**
 * Validates a bare payload (no envelope) the tolerant way, e.g. an agent command arriving over REST before the
 * gateway wraps it. Error paths are relative to the payload (`content.text`).
 */
export function parsePayload<T extends TopicName>(topic: T, data: unknown): ParseResult<PayloadOf<T>> {
  if (!isTopicName(topic)) return failure('', 'isTopicName', `${String(topic)} is not a Ponte topic`);
  try {
    return validatePayload(topic, data, 'read', '');
  } catch (error) {
    return failure('', 'isValidatable', `payload could not be validated: ${(error as Error).message}`);
  }
}
