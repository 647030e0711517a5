import { randomBytes } from 'node:crypto';
import { AccountCredentialsCache } from '../accounts/account-credentials.cache';
import type { Account } from '../accounts/account.schema';
import { UnauthenticatedError } from '../http/problem.error';
import { AccessTokens } from './access-tokens';
import { AgentAuthenticator } from './agent-authenticator';

function buildAccount(overrides: Partial<Account> = {}): Account {
  const now = new Date();
  return {
    _id: 'account-1',
    tenantId: 'tenant-1',
    agentId: 'solver-1',
    email: 'ana@ponte.example',
    displayName: 'Ana',
    role: 'solver',
    passwordHash: 'hash',
    credentialsVersion: 1,
    disabled: false,
    createdAt: now,
    updatedAt: now,
    passwordChangedAt: now,
    ...overrides,
  };
}

describe(AgentAuthenticator.name, () => {
  const tokens = new AccessTokens({
    key: randomBytes(32),
    issuer: 'ponte-gateway',
    audience: 'ponte-agent-api',
    ttlSeconds: 900,
    clockToleranceSeconds: 0,
  });
  let stored: Account | null;
  let loads: number;
  let sut: AgentAuthenticator;

  beforeEach(() => {
    stored = buildAccount();
    loads = 0;
    const cache = new AccountCredentialsCache(async () => {
      loads += 1;
      return stored;
    }, 0);
    sut = new AgentAuthenticator(tokens, cache);
  });

  async function tokenFor(account: Account): Promise<string> {
    return (
      await tokens.issue({
        accountId: account._id,
        tenantId: account.tenantId,
        agentId: account.agentId,
        role: account.role,
        credentialsVersion: account.credentialsVersion,
      })
    ).token;
  }

  it('should return the principal when the token matches the account as it is now', async () => {
    const principal = await sut.authenticate(await tokenFor(buildAccount()));

    expect(principal).toMatchObject({
      tenantId: 'tenant-1',
      accountId: 'account-1',
      agentId: 'solver-1',
      role: 'solver',
    });
    expect(loads).toBe(1);
  });

  it.each([
    ['the credentials version moved on (password or role change)', { credentialsVersion: 2 }],
    ['the account is disabled', { disabled: true }],
    ['the account moved to another tenant', { tenantId: 'tenant-2' }],
  ])('should refuse as revoked when %s', async (_, change) => {
    const token = await tokenFor(buildAccount());
    stored = buildAccount(change);

    await expect(sut.authenticate(token)).rejects.toMatchObject({ reason: 'revoked' });
  });

  it('should refuse when the account no longer exists', async () => {
    const token = await tokenFor(buildAccount());
    stored = null;

    await expect(sut.authenticate(token)).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});

describe(AccountCredentialsCache.name, () => {
  it('should reuse a read for ttlMs, then read again, and forget an evicted account at once', async () => {
    let clock = 0;
    let version = 1;
    let loads = 0;
    const sut = new AccountCredentialsCache(
      async () => {
        loads += 1;
        return buildAccount({ credentialsVersion: version });
      },
      1_000,
      () => clock,
    );

    await sut.get('account-1');
    version = 2;
    const cached = await sut.get('account-1');
    clock = 1_000;
    const reread = await sut.get('account-1');
    version = 3;
    sut.evict('account-1');
    const afterEviction = await sut.get('account-1');

    expect([
      cached?.credentialsVersion,
      reread?.credentialsVersion,
      afterEviction?.credentialsVersion,
    ]).toEqual([1, 2, 3]);
    expect(loads).toBe(3);
  });
});
