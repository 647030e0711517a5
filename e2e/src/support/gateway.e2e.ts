import type { ServiceProcess } from '@ponte/testing';
import { randomBytes } from 'node:crypto';
import { type ServiceGroup, TENANT } from './service-group';

export const GATEWAY_ADMIN = {
  email: 'admin@ponte.example',
  password: `pw-${randomBytes(12).toString('base64url')}`,
};

export interface GatewayResponse<T> {
  status: number;
  body: T;
}

/**
 * The real gateway as a process (`apps/gateway/src/main.ts`) in a service group, reading the router's database (the
 * router's collections, read-only) and keeping its own collections there too, with an admin seeded; plus plain
 * HTTP helpers, since e2e tests may not import the gateway's own harness.
 */
export class GatewayE2e {
  private constructor(private readonly service: ServiceProcess) {}

  static async start(
    group: ServiceGroup,
    routerMongoUrl: string,
    env: Record<string, string> = {},
  ): Promise<GatewayE2e> {
    const service = await group.start('gateway', {
      MONGO_URL: routerMongoUrl,
      GATEWAY_JWT_SECRET: randomBytes(48).toString('base64'),
      GATEWAY_DEFAULT_TENANT_ID: TENANT,
      GATEWAY_ADMIN_EMAIL: GATEWAY_ADMIN.email,
      GATEWAY_ADMIN_PASSWORD: GATEWAY_ADMIN.password,
      GATEWAY_LOGIN_RATE_LIMIT_PER_IP: '10000',
      GATEWAY_AGENT_RATE_LIMIT_PER_MINUTE: '10000',
      // Two cores run Kafka, FerretDB, the router and the gateway: leave the router time to answer.
      GATEWAY_COMMAND_WAIT_MS: '15000',
      ...env,
    });
    return new GatewayE2e(service);
  }

  get url(): string {
    return this.service.url;
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<GatewayResponse<T>> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  /** Logs in and returns the access token; fails unless the login succeeds. */
  async login(email: string, password: string): Promise<string> {
    const response = await this.request<{ accessToken: string }>('POST', '/api/v1/auth/login', {
      body: { email, password },
    });
    if (response.status !== 200)
      throw new Error(`login of ${email}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.accessToken;
  }
}
