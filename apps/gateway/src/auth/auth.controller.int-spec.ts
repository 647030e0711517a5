import type { ProblemDetails } from '../http/problem.error';
import { ADMIN_EMAIL, ADMIN_PASSWORD, GatewayHarness, strongPassword } from '../testing/gateway.harness';
import type { PrincipalView, TokenPairView } from './auth.dto';
import { AuthController } from './auth.controller';

const LOGIN = '/api/v1/auth/login';
const REFRESH = '/api/v1/auth/refresh';
const LOGOUT = '/api/v1/auth/logout';
const PASSWORD = '/api/v1/auth/password';
const ME = '/api/v1/auth/me';

describe(AuthController.name, () => {
  let sut: GatewayHarness;
  let admin: TokenPairView;

  beforeAll(async () => {
    sut = await GatewayHarness.start();
    admin = await sut.loginAsAdmin();
  });

  afterAll(async () => {
    await sut?.stop();
  });

  describe('login', () => {
    it('should return an access token, a refresh token and the account when the password is right', async () => {
      const { account, password } = await sut.createAgent(admin.accessToken, { role: 'director' });

      const response = await sut.request<TokenPairView>('POST', LOGIN, {
        body: { email: `  ${account.email.toUpperCase()} `, password },
      });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        tokenType: 'Bearer',
        expiresIn: 900,
        account: { id: account.id, role: 'director', agentId: account.agentId },
      });
      expect(response.body.refreshToken).toMatch(/^prt_/);
      const me = await sut.request<PrincipalView>('GET', ME, { token: response.body.accessToken });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ accountId: account.id, agentId: account.agentId, role: 'director' });
    });

    it('should give the same 401 problem when the e-mail is unknown and when the password is wrong', async () => {
      const wrongPassword = await sut.request<ProblemDetails>('POST', LOGIN, {
        body: { email: ADMIN_EMAIL, password: 'not the password at all' },
      });
      const unknownEmail = await sut.request<ProblemDetails>('POST', LOGIN, {
        body: { email: 'nobody@ponte.example', password: 'not the password at all' },
      });

      expect(wrongPassword.status).toBe(401);
      expect(wrongPassword.contentType).toMatch(/^application\/problem\+json/);
      expect(unknownEmail.status).toBe(401);
      expect(unknownEmail.contentType).toBe(wrongPassword.contentType);
      expect(unknownEmail.body).toEqual(wrongPassword.body);
      expect(wrongPassword.body).toMatchObject({
        type: 'urn:ponte:problem:invalid-credentials',
        status: 401,
        detail: 'The e-mail or password is incorrect.',
      });
    });

    it('should refuse a disabled account with the same answer as a wrong password', async () => {
      const { account, password } = await sut.createAgent(admin.accessToken);
      await sut.request('PATCH', `/api/v1/admin/accounts/${account.id}`, {
        token: admin.accessToken,
        body: { disabled: true },
      });

      const response = await sut.request<ProblemDetails>('POST', LOGIN, {
        body: { email: account.email, password },
      });

      expect(response.status).toBe(401);
      expect(response.body.code).toBe('invalid-credentials');
    });

    it('should answer 400 listing the field when the e-mail is not an e-mail', async () => {
      const response = await sut.request<ProblemDetails>('POST', LOGIN, {
        body: { email: 'ana', password: 'x' },
      });

      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { field: 'email', pointer: '/email', detail: 'email must be an e-mail address' },
      ]);
    });
  });

  describe('refresh', () => {
    it('should rotate the refresh token on every use', async () => {
      const { account, password } = await sut.createAgent(admin.accessToken);
      const first = await sut.login(account.email, password);

      const second = await sut.request<TokenPairView>('POST', REFRESH, {
        body: { refreshToken: first.refreshToken },
      });
      const third = await sut.request<TokenPairView>('POST', REFRESH, {
        body: { refreshToken: second.body.refreshToken },
      });

      expect(second.status).toBe(200);
      expect(third.status).toBe(200);
      expect(new Set([first.refreshToken, second.body.refreshToken, third.body.refreshToken]).size).toBe(3);
      expect((await sut.request('GET', ME, { token: third.body.accessToken })).status).toBe(200);
    });

    it('should revoke the whole session when a spent refresh token is presented again', async () => {
      const { account, password } = await sut.createAgent(admin.accessToken);
      const login = await sut.login(account.email, password);
      const rotated = await sut.request<TokenPairView>('POST', REFRESH, {
        body: { refreshToken: login.refreshToken },
      });

      const replay = await sut.request<ProblemDetails>('POST', REFRESH, {
        body: { refreshToken: login.refreshToken },
      });
      const legitimate = await sut.request<ProblemDetails>('POST', REFRESH, {
        body: { refreshToken: rotated.body.refreshToken },
      });

      expect(replay.status).toBe(401);
      expect(replay.body.code).toBe('refresh-token-reused');
      expect(legitimate.status).toBe(401);
      expect(legitimate.body.code).toBe('invalid-refresh-token');
    });

    it('should never let both of two concurrent exchanges of one refresh token succeed, and revoke the session as reuse', async () => {
      const { account, password } = await sut.createAgent(admin.accessToken);
      const login = await sut.login(account.email, password);

      const results = await Promise.all(
        [1, 2].map(() =>
          sut.request<TokenPairView & ProblemDetails>('POST', REFRESH, {
            body: { refreshToken: login.refreshToken },
          }),
        ),
      );

      // The loser presented a spent token: reuse, which revokes the session. Whether the winner read the session
      // before or after that revocation decides whether it got its 200 (both outcomes are safe; two 200s never are).
      expect(results.filter((result) => result.status === 200).length).toBeLessThanOrEqual(1);
      expect(results.map((result) => result.body.code)).toContain('refresh-token-reused');
      for (const won of results.filter((result) => result.status === 200)) {
        const next = await sut.request<ProblemDetails>('POST', REFRESH, {
          body: { refreshToken: won.body.refreshToken },
        });
        expect(next.body.code).toBe('invalid-refresh-token');
      }
    });

    it('should refuse a refresh token that was never issued', async () => {
      const response = await sut.request<ProblemDetails>('POST', REFRESH, {
        body: { refreshToken: `prt_${'A'.repeat(43)}` },
      });

      expect(response.status).toBe(401);
      expect(response.body.code).toBe('invalid-refresh-token');
    });

    it('should end the session on logout, idempotently', async () => {
      const { account, password } = await sut.createAgent(admin.accessToken);
      const login = await sut.login(account.email, password);

      const first = await sut.request('POST', LOGOUT, { body: { refreshToken: login.refreshToken } });
      const again = await sut.request('POST', LOGOUT, { body: { refreshToken: login.refreshToken } });
      const refresh = await sut.request('POST', REFRESH, { body: { refreshToken: login.refreshToken } });

      expect([first.status, again.status]).toEqual([204, 204]);
      expect(refresh.status).toBe(401);
    });
  });

  describe('password change', () => {
    it('should revoke tokens issued before it and return a working new pair', async () => {
      const { account, password } = await sut.createAgent(admin.accessToken);
      const before = await sut.login(account.email, password);
      const otherDevice = await sut.login(account.email, password);
      const newPassword = strongPassword();

      const change = await sut.request<TokenPairView>('POST', PASSWORD, {
        token: before.accessToken,
        body: { currentPassword: password, newPassword },
      });

      expect(change.status).toBe(200);
      const oldAccess = await sut.request<ProblemDetails>('GET', ME, { token: otherDevice.accessToken });
      expect(oldAccess.status).toBe(401);
      expect(oldAccess.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="ponte", error="invalid_token"/,
      );
      expect(
        (await sut.request('POST', REFRESH, { body: { refreshToken: otherDevice.refreshToken } })).status,
      ).toBe(401);
      expect((await sut.request('GET', ME, { token: change.body.accessToken })).status).toBe(200);
      expect((await sut.request('POST', LOGIN, { body: { email: account.email, password } })).status).toBe(
        401,
      );
      expect(
        (await sut.request('POST', LOGIN, { body: { email: account.email, password: newPassword } })).status,
      ).toBe(200);
    });

    it('should answer 400 and change nothing when the body also sets role or tenantId', async () => {
      const { account, password } = await sut.createAgent(admin.accessToken);
      const login = await sut.login(account.email, password);

      const response = await sut.request<ProblemDetails>('POST', PASSWORD, {
        token: login.accessToken,
        body: { currentPassword: password, newPassword: strongPassword(), role: 'admin', tenantId: 'other' },
      });

      expect(response.status).toBe(400);
      expect(response.contentType).toMatch(/^application\/problem\+json/);
      expect(response.body.errors?.map((error) => error.field).sort()).toEqual(['role', 'tenantId']);
      const me = await sut.request<PrincipalView>('GET', ME, { token: login.accessToken });
      expect(me.status).toBe(200);
      expect(me.body.role).toBe('solver');
      expect((await sut.request('POST', LOGIN, { body: { email: account.email, password } })).status).toBe(
        200,
      );
    });

    it('should answer 400 when the current password is wrong or the new one is weak', async () => {
      const { account, password } = await sut.createAgent(admin.accessToken, { displayName: 'Beatriz Lima' });
      const login = await sut.login(account.email, password);

      const wrongCurrent = await sut.request<ProblemDetails>('POST', PASSWORD, {
        token: login.accessToken,
        body: { currentPassword: 'not my password', newPassword: strongPassword() },
      });
      const weak = await sut.request<ProblemDetails>('POST', PASSWORD, {
        token: login.accessToken,
        body: { currentPassword: password, newPassword: 'beatriz12345' },
      });

      expect(wrongCurrent.status).toBe(400);
      expect(wrongCurrent.body.code).toBe('wrong-current-password');
      expect(weak.status).toBe(400);
      expect(weak.body.code).toBe('weak-password');
      expect(weak.body.errors?.[0]?.field).toBe('newPassword');
      expect((await sut.request('GET', ME, { token: login.accessToken })).status).toBe(200);
    });
  });

  describe('access tokens', () => {
    it('should answer 401 with a Bearer challenge when a route is called without a token', async () => {
      const response = await sut.request<ProblemDetails>('GET', ME);

      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="ponte"');
      expect(response.body.code).toBe('unauthenticated');
    });

    it('should answer 401 when the token is unsigned (alg none) or the header is not Bearer', async () => {
      const [header, payload] = admin.accessToken.split('.');
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`;

      const none = await sut.request('GET', ME, { token: unsigned });
      const basic = await sut.request('GET', ME, { headers: { authorization: `Basic ${header}` } });

      expect(none.status).toBe(401);
      expect(basic.status).toBe(401);
    });
  });

  describe('request errors', () => {
    it('should answer 400 problem+json when the JSON is malformed', async () => {
      const response = await sut.request<ProblemDetails>('POST', LOGIN, {
        rawBody: '{"email": "a@b.c", "password":',
      });

      expect(response.status).toBe(400);
      expect(response.contentType).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400 });
    });

    it('should answer 413 problem+json and store nothing when the body exceeds the limit', async () => {
      const email = 'huge@ponte.example';
      const response = await sut.request<ProblemDetails>('POST', '/api/v1/admin/accounts', {
        token: admin.accessToken,
        body: {
          email,
          displayName: 'x'.repeat(300_000),
          role: 'solver',
          agentId: 'huge',
          password: strongPassword(),
        },
      });

      expect(response.status).toBe(413);
      expect(response.contentType).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ type: 'about:blank', status: 413 });
      expect(await sut.db.collection('gateway_accounts').findOne({ email })).toBeNull();
    });

    it('should answer 404 problem+json for an unknown route', async () => {
      const response = await sut.request<ProblemDetails>('GET', '/api/v1/nothing-here', {
        token: admin.accessToken,
      });

      expect(response.status).toBe(404);
      expect(response.contentType).toMatch(/^application\/problem\+json/);
    });
  });

  describe('health', () => {
    it('should answer the probes without a token', async () => {
      expect((await sut.request('GET', '/health')).status).toBe(200);
      expect((await sut.request('GET', '/health/ready')).status).toBe(200);
    });
  });
});

describe(`${AuthController.name} rate limits`, () => {
  let sut: GatewayHarness;

  beforeAll(async () => {
    sut = await GatewayHarness.start({
      env: {
        GATEWAY_LOGIN_RATE_LIMIT_PER_IP: '6',
        GATEWAY_LOGIN_RATE_LIMIT_PER_EMAIL: '3',
        GATEWAY_AGENT_RATE_LIMIT_PER_MINUTE: '5',
      },
    });
  });

  afterAll(async () => {
    await sut?.stop();
  });

  it('should answer 429 with Retry-After once one e-mail exceeds its login limit, then per IP', async () => {
    const attempt = (email: string) =>
      sut.request<ProblemDetails>('POST', LOGIN, { body: { email, password: 'wrong password here' } });

    const sameEmail = [];
    for (let index = 0; index < 4; index += 1) sameEmail.push(await attempt('victim@ponte.example'));
    const otherEmails = [];
    for (let index = 0; index < 3; index += 1)
      otherEmails.push(await attempt(`other-${index}@ponte.example`));

    expect(sameEmail.map((response) => response.status)).toEqual([401, 401, 401, 429]);
    const limited = sameEmail[3]!;
    expect(limited.contentType).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.code).toBe('too-many-requests');
    // The IP limit counts every attempt, the refused fourth one included: 4 + 2 reach its 6.
    expect(otherEmails.map((response) => response.status)).toEqual([401, 401, 429]);
  });

  it('should limit an authenticated agent per minute', async () => {
    // A second instance: the first one's per-IP login limit is used up, and limits are counted per instance.
    const fresh = await GatewayHarness.start({
      reuse: sut.env,
      env: { GATEWAY_AGENT_RATE_LIMIT_PER_MINUTE: '5' },
    });
    try {
      const admin = await fresh.login(ADMIN_EMAIL, ADMIN_PASSWORD);
      const statuses = [];
      for (let index = 0; index < 6; index += 1) {
        statuses.push((await fresh.request('GET', ME, { token: admin.accessToken })).status);
      }

      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    } finally {
      await fresh.stop();
    }
  });
});
