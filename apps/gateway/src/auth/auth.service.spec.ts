import { loadConfig } from '@ponte/platform';
import { randomBytes } from 'node:crypto';
import { AccountCredentialsCache } from '../accounts/account-credentials.cache';
import { GatewayConfig } from '../config/gateway.config';
import { InvalidCredentialsError, TooManyRequestsError } from '../http/problem.error';
import {
  buildAccount,
  FakePasswordHasher,
  InMemoryAccountRepository,
  InMemoryRefreshTokenRepository,
} from '../testing/in-memory.fakes';
import { AccessTokens } from './access-tokens';
import { AuthService } from './auth.service';
import { LoginBackoff } from './login-backoff';
import { RefreshSessions } from './refresh-sessions';

const config = loadConfig(
  GatewayConfig,
  { KAFKA_BROKERS: '127.0.0.1:9092', MONGO_URL: 'mongodb://127.0.0.1:27017/ponte' },
  'gateway',
);

describe(AuthService.name, () => {
  let hasher: FakePasswordHasher;
  let accounts: InMemoryAccountRepository;
  let sut: AuthService;

  beforeEach(() => {
    hasher = new FakePasswordHasher();
    accounts = new InMemoryAccountRepository(buildAccount());
    sut = new AuthService(
      accounts,
      hasher,
      new AccessTokens({
        key: randomBytes(32),
        issuer: 'i',
        audience: 'a',
        ttlSeconds: 900,
        clockToleranceSeconds: 0,
      }),
      new RefreshSessions(new InMemoryRefreshTokenRepository(), { ttlSeconds: 3_600 }),
      new LoginBackoff({ afterFailures: 2, maxSeconds: 60 }),
      new AccountCredentialsCache((id) => accounts.findById(id), 0),
      config,
    );
  });

  const attempt = (email: string, password: string) => sut.login({ tenantId: 'tenant-1', email, password });

  it('should issue a token pair when the password is right', async () => {
    const pair = await attempt('ana@ponte.example', 'right password');

    expect(pair).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, account: { id: 'account-1' } });
  });

  it('should check a dummy hash for an unknown e-mail, so it costs a hash like a wrong password', async () => {
    await expect(attempt('nobody@ponte.example', 'right password')).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );
    await expect(attempt('ana@ponte.example', 'wrong password')).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );

    expect(hasher.verified).toHaveLength(2);
    expect(hasher.verified[0]).toMatch(/^fake\$/);
    expect(hasher.verified[0]).not.toBe(hasher.verified[1]);
  });

  it('should refuse a disabled account even with the right password, with the same error', async () => {
    accounts.accounts.set('account-1', buildAccount({ disabled: true }));

    await expect(attempt('ana@ponte.example', 'right password')).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );
  });

  it('should back off after repeated failures without checking the password, for unknown e-mails too', async () => {
    for (const email of ['ana@ponte.example', 'nobody@ponte.example']) {
      for (let index = 0; index < 3; index += 1) await attempt(email, 'wrong').catch(() => undefined);
      const checked = hasher.verified.length;

      await expect(attempt(email, 'right password')).rejects.toBeInstanceOf(TooManyRequestsError);
      expect(hasher.verified).toHaveLength(checked);
    }
  });
});
