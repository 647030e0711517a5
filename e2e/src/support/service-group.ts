import type { MessagingOptions } from '@ponte/messaging';
import { MongoClient } from 'mongodb';
import {
  type NotYet,
  ServiceProcess,
  testKafkaBrokers,
  testMongoUrl,
  uniqueName,
  waitFor,
  type WaitForOptions,
  WaitForTimeoutError,
} from '@ponte/testing';

/** The tenant every service of an e2e test file serves (the router's seed tenant and the adapters' tenant). */
export const TENANT = 'tenant-e2e';

export interface ServiceGroupOptions {
  /** Partitions of every topic the services provision; 1 gives one total order per topic (see the specs). */
  partitions?: number;
}

/**
 * The real services of one test file, each its own process started like `npm start` starts it, sharing private
 * topics (a unique KAFKA_TOPIC_PREFIX) on the Kafka of the jest global setup, each with a database of its own.
 * Every process is registered before it is awaited, so `stop()` in afterAll ends them even when a start failed.
 */
export class ServiceGroup {
  readonly prefix: string;
  readonly messaging: MessagingOptions;
  private readonly partitions: number;
  private readonly services = new Map<string, ServiceProcess>();
  private readonly databases: string[] = [];

  constructor(name: string, options: ServiceGroupOptions = {}) {
    this.prefix = `${uniqueName(`e2e-${name}`)}.`;
    this.partitions = options.partitions ?? 3;
    this.messaging = {
      clientId: `e2e-${name}`,
      brokers: testKafkaBrokers().split(','),
      topicPrefix: this.prefix,
      topics: { partitions: this.partitions },
      logLevel: 'nothing',
    };
  }

  /** A fresh database URL on the test FerretDB, for one service (dropped by `stop()`). */
  databaseUrl(service: string): string {
    const name = uniqueName(`e2e-${service}`);
    this.databases.push(name);
    return testMongoUrl(name);
  }

  /** Starts `apps/<app>/src/main.ts` with the shared Kafka settings plus `env`, and waits for /health/ready. */
  async start(app: string, env: Record<string, string>): Promise<ServiceProcess> {
    const service = await ServiceProcess.start({
      name: app,
      entry: `apps/${app}/src/main.ts`,
      env: {
        NODE_ENV: 'test',
        KAFKA_BROKERS: testKafkaBrokers(),
        KAFKA_TOPIC_PREFIX: this.prefix,
        KAFKA_TOPIC_PARTITIONS: String(this.partitions),
        LOG_LEVEL: 'warn',
        ...env,
      },
    });
    this.services.set(app, service);
    return service.ready();
  }

  /**
   * waitFor, whose timeout error also carries the services' recent output: when a message never arrives, the
   * reason is usually in a log line of the service that dropped it.
   */
  async waitFor<T>(probe: () => Promise<T | NotYet> | T | NotYet, options: WaitForOptions): Promise<T> {
    try {
      return await waitFor(probe, { timeoutMs: 30_000, intervalMs: 100, ...options });
    } catch (error) {
      if (!(error instanceof WaitForTimeoutError)) throw error;
      throw new WaitForTimeoutError(`${error.message}\n${this.outputs()}`);
    }
  }

  outputs(): string {
    return [...this.services.entries()]
      .map(([name, service]) => `--- ${name} (recent output) ---\n${service.output() || '(nothing)'}`)
      .join('\n');
  }

  /**
   * Stops every started service (SIGTERM, then SIGKILL after 10 s) and drops their databases; never throws, so the rest of
   * afterAll still runs.
   */
  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((service) => stopService(service)));
    this.services.clear();
    const databases = this.databases.splice(0);
    if (databases.length === 0) return;
    const client = new MongoClient(testMongoUrl());
    try {
      await client.connect();
      for (const name of databases) await client.db(name).dropDatabase();
    } catch {
      // throw-away servers: a leftover database is harmless
    } finally {
      await client.close();
    }
  }
}

/**
 * SIGTERM and wait for the exit, SIGKILL if it does not come. Not ServiceProcess.stop(): its grace timer is not
 * cleared when the process exits in time, which keeps jest from exiting for the whole grace period.
 */
async function stopService(service: ServiceProcess): Promise<void> {
  try {
    await service.signal('SIGTERM', 10_000);
  } catch {
    await service.crash().catch(() => undefined);
  }
}
