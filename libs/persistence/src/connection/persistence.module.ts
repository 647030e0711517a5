import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';

export interface PersistenceOptions {
  /** mongodb:// URL of MongoDB 7+ (replica set) or FerretDB 1.24. */
  uri: string;
  /** How long the driver looks for a server before an operation fails. */
  serverSelectionTimeoutMs?: number;
  /** Connection attempts at boot before the service gives up (then the process manager restarts it). */
  connectRetryAttempts?: number;
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
              // Indexes carry the uniqueness guarantees; repositories await `Model.init()` before serving.
              autoIndex: true,
            };
          },
        }),
      ],
      exports: [MongooseModule],
    };
  }
}
