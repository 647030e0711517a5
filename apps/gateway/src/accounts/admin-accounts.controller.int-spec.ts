import type { AgentRole } from '@ponte/contracts';
import type { TokenPairView } from '../auth/auth.dto';
import type { ProblemDetails } from '../http/problem.error';
import { GatewayHarness, strongPassword, TENANT } from '../testing/gateway.harness';
import type { AccountListView, AccountView } from './account.dto';
import { AdminAccountsController } from './admin-accounts.controller';

const ACCOUNTS = '/api/v1/admin/accounts';
const ME = '/api/v1/auth/me';

describe(AdminAccountsController.name, () => {
  let sut: GatewayHarness;
  let admin: TokenPairView;

  beforeAll(async () => {
    sut = await GatewayHarness.start();
    admin = await sut.loginAsAdmin();
  });

  afterAll(async () => {
    await sut?.stop();
  });

  it('should create an account in the admin tenant with a normalized e-mail, hashed password and no secrets shown', async () => {
    const password = strongPassword();

    const response = await sut.request<AccountView>('POST', ACCOUNTS, {
      token: admin.accessToken,
      body: {
        email: ' Carla.Dias@Ponte.Example ',
        displayName: 'Carla Dias',
        role: 'n2',
        agentId: 'n2-carla',
        password,
      },
    });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      tenantId: TENANT,
      agentId: 'n2-carla',
      email: 'carla.dias@ponte.example',
      displayName: 'Carla Dias',
      role: 'n2',
      disabled: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const stored = await sut.db.collection('gateway_accounts').findOne({ _id: response.body.id as never });
    expect(stored?.['passwordHash']).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(stored?.['credentialsVersion']).toBe(1);
  });

  it('should answer 409 when the e-mail or the agent id is taken in the tenant', async () => {
    const { account } = await sut.createAgent(admin.accessToken);

    const sameEmail = await sut.request<ProblemDetails>('POST', ACCOUNTS, {
      token: admin.accessToken,
      body: {
        email: account.email,
        displayName: 'X',
        role: 'solver',
        agentId: 'another-id',
        password: strongPassword(),
      },
    });
    const sameAgent = await sut.request<ProblemDetails>('POST', ACCOUNTS, {
      token: admin.accessToken,
      body: {
        email: 'someone-else@ponte.example',
        displayName: 'X',
        role: 'solver',
        agentId: account.agentId,
        password: strongPassword(),
      },
    });

    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.errors?.[0]?.field).toBe('email');
    expect(sameAgent.status).toBe(409);
    expect(sameAgent.body.errors?.[0]?.field).toBe('agentId');
  });

  it.each([
    ['tenantId', { tenantId: 'other-tenant' }],
    ['credentialsVersion', { credentialsVersion: 99 }],
    ['passwordHash', { passwordHash: '$argon2id$forged' }],
  ])('should answer 400 and create nothing when the body sets %s', async (field, extra) => {
    const email = `forged-${field.toLowerCase()}@ponte.example`;

    const response = await sut.request<ProblemDetails>('POST', ACCOUNTS, {
      token: admin.accessToken,
      body: {
        email,
        displayName: 'Forged',
        role: 'solver',
        agentId: `forged-${field}`,
        password: strongPassword(),
        ...extra,
      },
    });

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field, pointer: `/${field}`, detail: `property ${field} should not exist` },
    ]);
    expect(await sut.db.collection('gateway_accounts').findOne({ email })).toBeNull();
  });

  it('should refuse a weak initial password naming the reasons', async () => {
    const response = await sut.request<ProblemDetails>('POST', ACCOUNTS, {
      token: admin.accessToken,
      body: {
        email: 'weak@ponte.example',
        displayName: 'Weak',
        role: 'solver',
        agentId: 'weak',
        password: 'Password123',
      },
    });

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('weak-password');
    expect(response.body.detail).toMatch(/at least 12 characters/);
    expect(response.body.detail).toMatch(/most common passwords/);
  });

  it.each<AgentRole>(['solver', 'director', 'n2', 'n3', 'supervisor'])(
    'should answer 403 to a %s on every admin route',
    async (role) => {
      const { account, password } = await sut.createAgent(admin.accessToken, { role });
      const agent = await sut.login(account.email, password);

      const responses = await Promise.all([
        sut.request('POST', ACCOUNTS, {
          token: agent.accessToken,
          body: {
            email: 'x@ponte.example',
            displayName: 'X',
            role: 'admin',
            agentId: 'x',
            password: strongPassword(),
          },
        }),
        sut.request('GET', ACCOUNTS, { token: agent.accessToken }),
        sut.request('GET', `${ACCOUNTS}/${account.id}`, { token: agent.accessToken }),
        sut.request('PATCH', `${ACCOUNTS}/${account.id}`, {
          token: agent.accessToken,
          body: { role: 'admin' },
        }),
        sut.request('POST', `${ACCOUNTS}/${account.id}/password`, {
          token: agent.accessToken,
          body: { password: strongPassword() },
        }),
      ]);

      expect(responses.map((response) => response.status)).toEqual([403, 403, 403, 403, 403]);
      expect((responses[0]!.body as ProblemDetails).code).toBe('forbidden');
      const me = await sut.request<{ role: string }>('GET', ME, { token: agent.accessToken });
      expect(me.body.role).toBe(role);
    },
  );

  it("should revoke the old token when an admin changes the account's role", async () => {
    const { account, password } = await sut.createAgent(admin.accessToken, { role: 'solver' });
    const before = await sut.login(account.email, password);

    const change = await sut.request<AccountView>('PATCH', `${ACCOUNTS}/${account.id}`, {
      token: admin.accessToken,
      body: { role: 'supervisor' },
    });

    expect(change.status).toBe(200);
    expect(change.body.role).toBe('supervisor');
    expect((await sut.request('GET', ME, { token: before.accessToken })).status).toBe(401);
    expect(
      (await sut.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: before.refreshToken } }))
        .status,
    ).toBe(401);
    const after = await sut.login(account.email, password);
    expect((await sut.request<{ role: string }>('GET', ME, { token: after.accessToken })).body.role).toBe(
      'supervisor',
    );
  });

  it('should keep tokens valid when only the display name changes', async () => {
    const { account, password } = await sut.createAgent(admin.accessToken);
    const before = await sut.login(account.email, password);

    const change = await sut.request<AccountView>('PATCH', `${ACCOUNTS}/${account.id}`, {
      token: admin.accessToken,
      body: { displayName: 'Renamed Agent' },
    });

    expect(change.body.displayName).toBe('Renamed Agent');
    expect((await sut.request('GET', ME, { token: before.accessToken })).status).toBe(200);
  });

  it('should answer 401 to the tokens of a disabled account, and accept new logins once enabled again', async () => {
    const { account, password } = await sut.createAgent(admin.accessToken);
    const before = await sut.login(account.email, password);

    await sut.request('PATCH', `${ACCOUNTS}/${account.id}`, {
      token: admin.accessToken,
      body: { disabled: true },
    });
    const whileDisabled = await sut.request('GET', ME, { token: before.accessToken });
    await sut.request('PATCH', `${ACCOUNTS}/${account.id}`, {
      token: admin.accessToken,
      body: { disabled: false },
    });

    expect(whileDisabled.status).toBe(401);
    expect((await sut.request('GET', ME, { token: before.accessToken })).status).toBe(401);
    expect(
      (await sut.request('POST', '/api/v1/auth/login', { body: { email: account.email, password } })).status,
    ).toBe(200);
  });

  it('should revoke tokens and change the password on a reset', async () => {
    const { account, password } = await sut.createAgent(admin.accessToken);
    const before = await sut.login(account.email, password);
    const newPassword = strongPassword();

    const reset = await sut.request('POST', `${ACCOUNTS}/${account.id}/password`, {
      token: admin.accessToken,
      body: { password: newPassword },
    });

    expect(reset.status).toBe(204);
    expect((await sut.request('GET', ME, { token: before.accessToken })).status).toBe(401);
    await sut.login(account.email, newPassword);
  });

  it('should answer 400 and change nothing when a PATCH has unknown or forbidden fields', async () => {
    const { account } = await sut.createAgent(admin.accessToken);

    const response = await sut.request<ProblemDetails>('PATCH', `${ACCOUNTS}/${account.id}`, {
      token: admin.accessToken,
      body: { displayName: 'Should Not Apply', tenantId: 'other', email: 'new@ponte.example' },
    });

    expect(response.status).toBe(400);
    expect(response.body.errors?.map((error) => error.field).sort()).toEqual(['email', 'tenantId']);
    const stored = await sut.request<AccountView>('GET', `${ACCOUNTS}/${account.id}`, {
      token: admin.accessToken,
    });
    expect(stored.body.displayName).toBe(account.displayName);
  });

  it('should refuse to let an admin demote or disable themselves', async () => {
    const response = await sut.request<ProblemDetails>('PATCH', `${ACCOUNTS}/${admin.account.id}`, {
      token: admin.accessToken,
      body: { role: 'solver' },
    });

    expect(response.status).toBe(409);
    expect(response.body.code).toBe('own-account');
    expect((await sut.request('GET', ME, { token: admin.accessToken })).status).toBe(200);
  });

  it('should answer 404 for an account of another tenant or none', async () => {
    await sut.db.collection('gateway_accounts').insertOne({
      _id: 'other-tenant-account' as never,
      tenantId: 'other-tenant',
      agentId: 'a',
      email: 'other@ponte.example',
      displayName: 'Other',
      role: 'solver',
      passwordHash: 'x',
      credentialsVersion: 1,
      disabled: false,
      createdAt: new Date(),
      updatedAt: new Date(),
      passwordChangedAt: new Date(),
    });

    const read = await sut.request<ProblemDetails>('GET', `${ACCOUNTS}/other-tenant-account`, {
      token: admin.accessToken,
    });
    const patch = await sut.request('PATCH', `${ACCOUNTS}/other-tenant-account`, {
      token: admin.accessToken,
      body: { disabled: true },
    });

    expect(read.status).toBe(404);
    expect(read.body.code).toBe('account-not-found');
    expect(patch.status).toBe(404);
    const stored = await sut.db
      .collection('gateway_accounts')
      .findOne({ _id: 'other-tenant-account' as never });
    expect(stored?.['disabled']).toBe(false);
  });

  it('should list the tenant accounts by e-mail, page by page', async () => {
    const first = await sut.request<AccountListView>('GET', `${ACCOUNTS}?limit=2`, {
      token: admin.accessToken,
    });
    const second = await sut.request<AccountListView>('GET', `${ACCOUNTS}?limit=2&after=${first.body.next}`, {
      token: admin.accessToken,
    });
    const invalid = await sut.request<ProblemDetails>('GET', `${ACCOUNTS}?limit=0&sort=email`, {
      token: admin.accessToken,
    });

    expect(first.status).toBe(200);
    expect(first.body.accounts).toHaveLength(2);
    expect(second.body.accounts[0]!.email > first.body.accounts[1]!.email).toBe(true);
    expect(
      [...first.body.accounts, ...second.body.accounts].every((account) => account.tenantId === TENANT),
    ).toBe(true);
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors?.map((error) => error.field).sort()).toEqual(['limit', 'sort']);
  });
});
