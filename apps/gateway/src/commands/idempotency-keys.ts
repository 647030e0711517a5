import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { isDuplicateKeyError } from '@ponte/persistence';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { createHash } from 'node:crypto';
import { IdempotencyKeyReusedError, RequestValidationError } from '../http/problem.error';
import { commandIdForKey } from './router-ids';

export const IDEMPOTENCY_COLLECTION = 'gateway_idempotency_keys';

/** What the first request with a key answered, replayed to its retries. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

/** One Idempotency-Key of one agent. */
export interface IdempotencyRecord {
  /** `tenant|agent|key`: a key is the agent's own; another agent's identical key is another request. */
  _id: string;
  commandId: string;
  /** SHA-256 of the method, route and body: the same key with another request is refused. */
  fingerprint: string;
  state: 'pending' | 'completed';
  /** The response as JSON text: event payloads may hold keys FerretDB cannot store (`.`, a leading `$`). */
  response?: string;
  createdAt: Date;
  expiresAt: Date;
}

/** Port of the keys' collection; the rule runs against an in-memory fake in unit tests. */
export abstract class IdempotencyRepository {
  /** False when a record with this `_id` exists already (the unique `_id` decides a race). */
  abstract insert(record: IdempotencyRecord): Promise<boolean>;
  abstract find(id: string): Promise<IdempotencyRecord | null>;
  abstract complete(id: string, response: string): Promise<void>;
  abstract deleteExpired(now: Date): Promise<number>;
}

export type IdempotencyClaim =
  /** First use of the key: publish the command with this id. */
  | { kind: 'new'; commandId: string }
  /** A retry of a finished request: answer this, publish nothing. */
  | { kind: 'replay'; response: StoredResponse }
  /**
   * A retry while the first request has not answered yet (or died before it could): wait for the same command.
   * `republish` when the first is older than the stale delay, in case it never published; the router applies a
   * commandId once, so a second publication changes nothing.
   */
  | { kind: 'in-flight'; commandId: string; republish: boolean };

export interface IdempotencyOptions {
  ttlMs: number;
  staleMs: number;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Idempotency-Key semantics (draft-ietf-httpapi-idempotency-key-header): a key names one request of one agent for
 * `ttlMs`; a retry with the same key and the same request publishes nothing new and gets the first answer; the same
 * key with another request is a 422. The command id derives from the key, so even two racing first attempts name one
 * command, which the router applies once.
 */
export class IdempotencyKeys {
  constructor(
    private readonly repository: IdempotencyRepository,
    private readonly options: IdempotencyOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async claim(
    scope: { tenantId: string; agentId: string },
    key: string,
    request: { method: string; route: string; body: unknown },
  ): Promise<IdempotencyClaim> {
    if (!KEY.test(key)) {
      throw new RequestValidationError(
        [
          {
            field: 'Idempotency-Key',
            pointer: '',
            detail: 'Idempotency-Key must be 1 to 255 visible ASCII characters',
          },
        ],
        'The Idempotency-Key header is malformed.',
      );
    }
    const id = `${scope.tenantId}|${scope.agentId}|${key}`;
    const commandId = commandIdForKey(scope.tenantId, scope.agentId, key);
    const fingerprint = fingerprintOf(request);
    const now = this.now();
    const inserted = await this.repository.insert({
      _id: id,
      commandId,
      fingerprint,
      state: 'pending',
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.options.ttlMs),
    });
    if (inserted) return { kind: 'new', commandId };
    const existing = await this.repository.find(id);
    // Expired and swept between the insert and the read: a new request after all.
    if (!existing) return this.claim(scope, key, request);
    if (existing.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
    if (existing.state === 'completed' && existing.response !== undefined) {
      return { kind: 'replay', response: JSON.parse(existing.response) as StoredResponse };
    }
    return {
      kind: 'in-flight',
      commandId: existing.commandId,
      republish: now.getTime() - existing.createdAt.getTime() >= this.options.staleMs,
    };
  }

  async remember(
    scope: { tenantId: string; agentId: string },
    key: string,
    response: StoredResponse,
  ): Promise<void> {
    await this.repository.complete(`${scope.tenantId}|${scope.agentId}|${key}`, JSON.stringify(response));
  }

  sweep(now = this.now()): Promise<number> {
    return this.repository.deleteExpired(now);
  }
}

export function fingerprintOf(request: { method: string; route: string; body: unknown }): string {
  return createHash('sha256')
    .update(`${request.method.toUpperCase()} ${request.route}\n${canonicalJson(request.body)}`)
    .digest('hex');
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

@Injectable()
export class MongoIdempotencyRepository extends IdempotencyRepository implements OnModuleInit {
  constructor(@InjectConnection() private readonly connection: Connection) {
    super();
  }

  private get keys(): Collection<IdempotencyRecord> {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB is not connected');
    return db.collection<IdempotencyRecord>(IDEMPOTENCY_COLLECTION);
  }

  async onModuleInit(): Promise<void> {
    await this.keys.createIndex({ expiresAt: 1 }, { name: 'expires_at' });
  }

  async insert(record: IdempotencyRecord): Promise<boolean> {
    try {
      await this.keys.insertOne(record);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  find(id: string): Promise<IdempotencyRecord | null> {
    return this.keys.findOne({ _id: id });
  }

  async complete(id: string, response: string): Promise<void> {
    await this.keys.updateOne({ _id: id }, { $set: { state: 'completed', response } });
  }

  async deleteExpired(now: Date): Promise<number> {
    return (await this.keys.deleteMany({ expiresAt: { $lt: now } })).deletedCount;
  }
}
