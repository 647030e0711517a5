import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { GuardedUpdates } from '../idempotent-write/guarded-update';

export interface PersistenceOptions {
  /** mongodb:// URL of MongoDB 7+ (replica set) or FerretDB 1.24. */
  uri: string;
  /** How long the driver looks for a server before an operation fails. */
  serverSelectionTimeoutMs?: number;
  /** Connection attempts at boot before the service gives up (then the process manager restarts it). */
  connectRetryAttempts?: number;
  /**
   * Concurrent operations of this process (the driver's pool). Kept well under 100: FerretDB 1.24 serves an update
   * by iterating a query on one SQLite connection while it writes on a second one from a pool of 100 per database,
   * so 100 concurrent updates hold every connection and wait for a second one forever.
   */
  maxPoolSize?: number;
}

/**
 * The one MongoDB connection of a service. Code must stay within what both MongoDB 7 and FerretDB 1.24
 * support: no transactions, change streams, $lookup/$facet or partial indexes (see docs/architecture.md).
 */
@Module({})
export class PersistenceModule {
  static forRootAsync(options: {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Nest passes the injected providers untyped
    useFactory: (...args: any[]) => PersistenceOptions | Promise<PersistenceOptions>;
    inject?: Array<string | symbol | (abstract new (...args: never[]) => unknown)>;
  }): DynamicModule {
    return {
      module: PersistenceModule,
      // Global like the connection itself: every module of the service may ask for GuardedUpdates.
      global: true,
      providers: [GuardedUpdates],
      imports: [
        MongooseModule.forRootAsync({
          inject: options.inject ?? [],
          useFactory: async (...args: unknown[]) => {
            const resolved = await options.useFactory(...args);
            return {
              uri: resolved.uri,
              serverSelectionTimeoutMS: resolved.serverSelectionTimeoutMs ?? 5_000,
              retryAttempts: resolved.connectRetryAttempts ?? 5,
              retryDelay: 1_000,
              maxPoolSize: resolved.maxPoolSize ?? 10,
              // Indexes carry the uniqueness guarantees; repositories await `Model.init()` before serving.
              autoIndex: true,
            };
          },
        }),
      ],
      exports: [MongooseModule, GuardedUpdates],
    };
  }
}
