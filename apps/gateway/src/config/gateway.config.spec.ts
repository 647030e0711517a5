import { ConfigValidationError, loadConfig } from '@ponte/platform';
import { GatewayConfig } from './gateway.config';

const baseEnv = { KAFKA_BROKERS: '127.0.0.1:9092', MONGO_URL: 'mongodb://127.0.0.1:27017/ponte' };
const SECRET = 'h7Q9mZ2xV4pL8sK1nR6tW3yB5cF0gJ2dU7eA';

describe(GatewayConfig.name, () => {
  it('should boot in development without a secret or an admin seed, with the documented defaults', () => {
    const sut = loadConfig(GatewayConfig, baseEnv, 'gateway');

    expect(sut.GATEWAY_JWT_SECRET).toBeUndefined();
    expect(sut.PORT).toBe(3000);
    expect(sut.HTTP_BODY_LIMIT_BYTES).toBe(262_144);
    expect(sut.GATEWAY_ACCESS_TOKEN_TTL_SECONDS).toBe(900);
    expect(sut.GATEWAY_REFRESH_TOKEN_TTL_SECONDS).toBe(1_209_600);
    expect(sut.GATEWAY_LOGIN_RATE_LIMIT_PER_IP).toBe(10);
    expect(sut.GATEWAY_DEFAULT_TENANT_ID).toBe('default');
  });

  it('should refuse production without GATEWAY_JWT_SECRET, saying how to make one', () => {
    const error = captureError(() =>
      loadConfig(GatewayConfig, { ...baseEnv, NODE_ENV: 'production' }, 'gateway'),
    );

    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error.message).toMatch(/GATEWAY_JWT_SECRET is required when NODE_ENV=production .*openssl rand/);
  });

  it('should accept production with a strong secret', () => {
    const sut = loadConfig(
      GatewayConfig,
      { ...baseEnv, NODE_ENV: 'production', GATEWAY_JWT_SECRET: SECRET },
      'gateway',
    );

    expect(sut.isProduction).toBe(true);
  });

  it.each([
    ['shorter than 32 bytes', 'too-short-secret'],
    ['a run of one character', 'x'.repeat(64)],
  ])('should refuse a secret %s, in any environment', (_, secret) => {
    const error = captureError(() =>
      loadConfig(GatewayConfig, { ...baseEnv, GATEWAY_JWT_SECRET: secret }, 'gateway'),
    );

    expect(error.message).toMatch(/GATEWAY_JWT_SECRET must be at least 32 bytes of random text/);
  });

  it('should refuse a weak admin password with its reasons and without repeating it', () => {
    const error = captureError(() =>
      loadConfig(
        GatewayConfig,
        { ...baseEnv, GATEWAY_ADMIN_EMAIL: 'boss@ponte.example', GATEWAY_ADMIN_PASSWORD: 'boss1234' },
        'gateway',
      ),
    );

    expect(error.message).toMatch(
      /GATEWAY_ADMIN_PASSWORD is too weak: it must be at least 12 characters long/,
    );
    expect(error.message).toMatch(/must not contain the account's e-mail or name/);
    expect(error.message).not.toContain('boss1234');
  });

  it('should want the admin e-mail and password together', () => {
    const onlyEmail = captureError(() =>
      loadConfig(GatewayConfig, { ...baseEnv, GATEWAY_ADMIN_EMAIL: 'boss@ponte.example' }, 'gateway'),
    );
    const onlyPassword = captureError(() =>
      loadConfig(
        GatewayConfig,
        { ...baseEnv, GATEWAY_ADMIN_PASSWORD: 'correct horse battery staple' },
        'gateway',
      ),
    );

    expect(onlyEmail.message).toMatch(/GATEWAY_ADMIN_PASSWORD is required once GATEWAY_ADMIN_EMAIL is set/);
    expect(onlyPassword.message).toMatch(
      /GATEWAY_ADMIN_EMAIL is required once GATEWAY_ADMIN_PASSWORD is set/,
    );
  });
});

function captureError(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
