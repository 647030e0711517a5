import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { randomBytes } from 'node:crypto';
import { UnauthenticatedError } from '../http/problem.error';
import { AccessTokens, type AccessTokenSettings, type AccessTokenSubject } from './access-tokens';

const NOW = new Date('2025-06-01T12:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;
const KEY = randomBytes(32);

function settings(overrides: Partial<AccessTokenSettings> = {}): AccessTokenSettings {
  return {
    key: KEY,
    issuer: 'ponte-gateway',
    audience: 'ponte-agent-api',
    ttlSeconds: 900,
    clockToleranceSeconds: 5,
    ...overrides,
  };
}

function buildSubject(overrides: Partial<AccessTokenSubject> = {}): AccessTokenSubject {
  return {
    accountId: 'account-1',
    tenantId: 'tenant-1',
    agentId: 'solver-1',
    role: 'solver',
    credentialsVersion: 3,
    ...overrides,
  };
}

/** A token as the gateway would sign it, with any claim or header changed. */
function forge(
  claims: JWTPayload = {},
  header: Record<string, unknown> = {},
  key: Uint8Array = KEY,
): Promise<string> {
  return new SignJWT({
    tenantId: 'tenant-1',
    agentId: 'solver-1',
    role: 'solver',
    credentialsVersion: 3,
    iss: 'ponte-gateway',
    aud: 'ponte-agent-api',
    sub: 'account-1',
    jti: 'token-1',
    iat: NOW_SECONDS - 10,
    nbf: NOW_SECONDS - 10,
    exp: NOW_SECONDS + 600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', ...header })
    .sign(key);
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function refusal(sut: AccessTokens, token: string): Promise<UnauthenticatedError> {
  try {
    await sut.verify(token);
  } catch (error) {
    return error as UnauthenticatedError;
  }
  throw new Error('expected the token to be refused');
}

describe(AccessTokens.name, () => {
  const sut = new AccessTokens(settings(), () => NOW);

  it('should issue a token that verifies, with the pinned header and every claim', async () => {
    const { token, expiresAt } = await sut.issue(buildSubject());

    const verified = await sut.verify(token);

    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    expect(verified).toMatchObject({ ...buildSubject(), issuedAt: NOW, expiresAt });
    expect(expiresAt.getTime() - NOW.getTime()).toBe(900_000);
    expect(verified.tokenId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('should accept a token forged here with the right key, as a baseline for the refusals below', async () => {
    await expect(sut.verify(await forge())).resolves.toMatchObject({ accountId: 'account-1' });
  });

  it('should refuse an unsecured token (alg none)', async () => {
    const payload = (await forge()).split('.')[1];
    const unsecured = `${base64url({ alg: 'none', typ: 'at+jwt' })}.${payload}.`;

    expect((await refusal(sut, unsecured)).reason).toBe('invalid');
  });

  it('should refuse HS512 although the key is the same', async () => {
    expect((await refusal(sut, await forge({}, { alg: 'HS512' }))).reason).toBe('invalid');
  });

  it('should refuse RS256 signed with a key pair of the attacker, even with the public key embedded', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({
      tenantId: 'tenant-1',
      agentId: 'solver-1',
      role: 'admin',
      credentialsVersion: 3,
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', jwk: await exportJWK(publicKey) })
      .setIssuer('ponte-gateway')
      .setAudience('ponte-agent-api')
      .setSubject('account-1')
      .setJti('token-1')
      .setIssuedAt(NOW_SECONDS)
      .setNotBefore(NOW_SECONDS)
      .setExpirationTime(NOW_SECONDS + 600)
      .sign(privateKey);

    expect((await refusal(sut, token)).reason).toBe('invalid');
  });

  it('should refuse HS256 with the public key bytes used as the HMAC secret (key confusion)', async () => {
    const { publicKey } = await generateKeyPair('RS256');
    const publicBytes = new TextEncoder().encode(JSON.stringify(await exportJWK(publicKey)));

    expect((await refusal(sut, await forge({}, {}, publicBytes))).reason).toBe('invalid');
  });

  it.each([
    ['a wrong audience', { aud: 'another-api' }],
    ['no audience', { aud: undefined }],
    ['a wrong issuer', { iss: 'https://attacker.example.com' }],
    ['no issuer', { iss: undefined }],
    ['no subject', { sub: undefined }],
    ['no expiry', { exp: undefined }],
    ['no jti', { jti: undefined }],
    ['a role that does not exist', { role: 'root' }],
    ['a credentials version that is not an integer', { credentialsVersion: '3' }],
    ['no tenant', { tenantId: undefined }],
  ])('should refuse a token with %s', async (_, claims) => {
    expect((await refusal(sut, await forge(claims as JWTPayload))).reason).toBe('invalid');
  });

  it('should refuse an expired token as expired', async () => {
    const token = await forge({ iat: NOW_SECONDS - 1000, nbf: NOW_SECONDS - 1000, exp: NOW_SECONDS - 10 });

    const error = await refusal(sut, token);

    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(error.reason).toBe('expired');
    expect(error.detail).toBe('The access token has expired.');
  });

  it('should accept a token expired by less than the clock tolerance', async () => {
    await expect(sut.verify(await forge({ exp: NOW_SECONDS - 3 }))).resolves.toBeDefined();
  });

  it('should refuse a token that is not valid yet', async () => {
    expect((await refusal(sut, await forge({ nbf: NOW_SECONDS + 60 }))).reason).toBe('invalid');
  });

  it('should refuse a token whose payload or signature was tampered with', async () => {
    const [header, payload, signature] = (await forge()).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const escalated = `${header}.${base64url({ ...claims, role: 'admin' })}.${signature}`;
    const flipped = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;

    expect((await refusal(sut, escalated)).reason).toBe('invalid');
    expect((await refusal(sut, flipped)).reason).toBe('invalid');
  });

  it('should refuse a token signed with another secret', async () => {
    expect((await refusal(sut, await forge({}, {}, randomBytes(32)))).reason).toBe('invalid');
  });

  it('should refuse a JWT of another type (an ID token, say)', async () => {
    expect((await refusal(sut, await forge({}, { typ: 'JWT' }))).reason).toBe('invalid');
  });

  it('should refuse what is not a JWT', async () => {
    expect((await refusal(sut, 'not-a-token')).reason).toBe('invalid');
  });
});
