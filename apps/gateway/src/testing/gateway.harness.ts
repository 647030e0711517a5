import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp, loadConfig } from '@ponte/platform';
import { testKafkaBrokers, testMongoUrl, uniqueName } from '@ponte/testing';
import { type Db, MongoClient } from 'mongodb';
import { randomBytes } from 'node:crypto';
import type { AccountView } from '../accounts/account.dto';
import type { TokenPairView } from '../auth/auth.dto';
import { GatewayConfig } from '../config/gateway.config';
import { gatewayService } from '../gateway.definition';

export const TENANT = 'tenant-test';
export const ADMIN_EMAIL = 'root@ponte.example';
export const ADMIN_PASSWORD = 'correct horse battery staple 42';

export interface GatewayResponse<T = unknown> {
  status: number;
  headers: Headers;
  contentType: string | undefined;
  /** Parsed JSON when the body is JSON, the text otherwise. */
  body: T;
}

export interface RequestOptions {
  /** Sent as JSON unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string | Buffer;
  token?: string;
  headers?: Record<string, string>;
}

export interface GatewayHarnessOptions {
  env?: Record<string, string>;
  /** Boot against the database of an earlier harness (its `env`), e.g. to boot twice. */
  reuse?: Record<string, string>;
}

/** A random password that passes the policy. */
export function strongPassword(): string {
  return `pw-${randomBytes(12).toString('base64url')}`;
}

/**
 * The real gateway (its Nest app on a free port of 127.0.0.1, its Kafka client, its MongoDB collections) on private
 * topics and a private database, with an admin seeded in TENANT, plus plain-HTTP helpers. Rate limits are generous
 * unless a test sets them: tests from one address would otherwise trip the per-IP login limit.
 */
export class GatewayHarness {
  private constructor(
    readonly env: Record<string, string>,
    readonly app: NestFastifyApplication,
    readonly url: string,
    readonly db: Db,
    private readonly mongo: MongoClient,
    private readonly ownsDatabase: boolean,
  ) {}

  static async start(options: GatewayHarnessOptions = {}): Promise<GatewayHarness> {
    const env: Record<string, string> = options.reuse
      ? { ...options.reuse, ...options.env }
      : {
          KAFKA_BROKERS: testKafkaBrokers(),
          MONGO_URL: testMongoUrl(uniqueName('gateway')),
          KAFKA_TOPIC_PREFIX: `${uniqueName('gateway')}.`,
          KAFKA_TOPIC_PARTITIONS: '1',
          LOG_LEVEL: 'warn',
          PORT: '0',
          NODE_ENV: 'test',
          GATEWAY_JWT_SECRET: randomBytes(48).toString('base64'),
          GATEWAY_DEFAULT_TENANT_ID: TENANT,
          GATEWAY_ADMIN_EMAIL: ADMIN_EMAIL,
          GATEWAY_ADMIN_PASSWORD: ADMIN_PASSWORD,
          GATEWAY_LOGIN_RATE_LIMIT_PER_IP: '10000',
          GATEWAY_LOGIN_RATE_LIMIT_PER_EMAIL: '10000',
          GATEWAY_PUBLIC_RATE_LIMIT_PER_IP: '10000',
          GATEWAY_AGENT_RATE_LIMIT_PER_MINUTE: '10000',
          GATEWAY_LOGIN_BACKOFF_AFTER_FAILURES: '1000',
          ...options.env,
        };
    const mongo = await new MongoClient(env['MONGO_URL'] ?? testMongoUrl()).connect();
    let app: NestFastifyApplication;
    try {
      app = await createServiceApp(gatewayService, loadConfig(GatewayConfig, env, 'gateway'));
    } catch (error) {
      await mongo.close();
      throw error;
    }
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    return new GatewayHarness(env, app, url, mongo.db(), mongo, !options.reuse);
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<GatewayResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Buffer | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return {
      status: response.status,
      headers: response.headers,
      contentType: response.headers.get('content-type') ?? undefined,
      body: parsed as T,
    };
  }

  /** Logs in and fails the test unless it succeeds. */
  async login(email: string, password: string): Promise<TokenPairView> {
    const response = await this.request<TokenPairView>('POST', '/api/v1/auth/login', {
      body: { email, password },
    });
    if (response.status !== 200) {
      throw new Error(`login of ${email} answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body;
  }

  async loginAsAdmin(): Promise<TokenPairView> {
    return this.login(ADMIN_EMAIL, ADMIN_PASSWORD);
  }

  /** Creates an agent account through the admin API; returns it with its password. */
  async createAgent(
    adminToken: string,
    overrides: Partial<{
      email: string;
      displayName: string;
      role: string;
      agentId: string;
      password: string;
    }> = {},
  ): Promise<{ account: AccountView; password: string }> {
    const suffix = randomBytes(4).toString('hex');
    const password = overrides.password ?? strongPassword();
    const response = await this.request<AccountView>('POST', '/api/v1/admin/accounts', {
      token: adminToken,
      body: {
        email: `agent-${suffix}@ponte.example`,
        displayName: `Agent ${suffix}`,
        role: 'solver',
        agentId: `solver-${suffix}`,
        ...overrides,
        password,
      },
    });
    if (response.status !== 201) {
      throw new Error(`creating an agent answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return { account: response.body, password };
  }

  async stop(): Promise<void> {
    await this.app.close();
    if (this.ownsDatabase) await this.db.dropDatabase();
    await this.mongo.close();
  }
}
