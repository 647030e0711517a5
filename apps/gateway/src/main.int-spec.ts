import { ServiceProcess } from '@ponte/testing';
import { ADMIN_EMAIL, ADMIN_PASSWORD, GatewayHarness } from './testing/gateway.harness';

const ENTRY = 'apps/gateway/src/main.ts';

/** The gateway as `npm start` and the container run it: its own process, configured by its environment. */
describe('gateway process', () => {
  let first: GatewayHarness;

  beforeAll(async () => {
    first = await GatewayHarness.start();
  });

  afterAll(async () => {
    await first?.stop();
  });

  it('should start in development without a JWT secret, signing with a key of its own', async () => {
    // PORT: a free one chosen by ServiceProcess, not the harness's 0.
    const { GATEWAY_JWT_SECRET: _secret, PORT: _port, ...env } = first.env;
    const gateway = await ServiceProcess.start({
      name: 'gateway',
      entry: ENTRY,
      env: { ...env, NODE_ENV: 'development', LOG_LEVEL: 'warn' },
    });
    try {
      await gateway.ready();
      const login = await fetch(`${gateway.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
      });
      const { accessToken } = (await login.json()) as { accessToken: string };
      const me = await fetch(`${gateway.url}/api/v1/auth/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });

      expect(login.status).toBe(200);
      expect(me.status).toBe(200);
      expect(gateway.output()).toMatch(
        /GATEWAY_JWT_SECRET is not set: signing with a random key of this process/,
      );
      // Another process has another key: the token means nothing there.
      expect((await first.request('GET', '/api/v1/auth/me', { token: accessToken })).status).toBe(401);
    } finally {
      await gateway.stop();
    }
  });

  it('should refuse to start, naming the setting, when the admin password is weak', async () => {
    const gateway = await ServiceProcess.start({
      name: 'gateway',
      entry: ENTRY,
      env: {
        ...first.env,
        GATEWAY_ADMIN_EMAIL: 'boss@ponte.example',
        GATEWAY_ADMIN_PASSWORD: 'password1234',
      },
    });

    expect(await gateway.whenExited()).toBe('exited with status 78');
    expect(gateway.output()).toMatch(/GATEWAY_ADMIN_PASSWORD is too weak: .*most common passwords/);
    expect(gateway.output()).not.toContain('password1234');
  });

  it('should refuse to start when NODE_ENV=production and no JWT secret is set', async () => {
    const { GATEWAY_JWT_SECRET: _secret, ...env } = first.env;
    const gateway = await ServiceProcess.start({
      name: 'gateway',
      entry: ENTRY,
      env: { ...env, NODE_ENV: 'production' },
    });

    expect(await gateway.whenExited()).toBe('exited with status 78');
    expect(gateway.output()).toMatch(/GATEWAY_JWT_SECRET is required when NODE_ENV=production/);
  });
});
