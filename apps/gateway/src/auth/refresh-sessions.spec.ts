import { buildAccount, InMemoryRefreshTokenRepository } from '../testing/in-memory.fakes';
import { InvalidRefreshTokenError, RefreshTokenReusedError } from '../http/problem.error';
import { hashRefreshToken, REFRESH_TOKEN_PATTERN, RefreshSessions } from './refresh-sessions';

describe(RefreshSessions.name, () => {
  let clock: Date;
  let repository: InMemoryRefreshTokenRepository;
  let account = buildAccount();
  let sut: RefreshSessions;
  const lookup = async () => account;

  beforeEach(() => {
    clock = new Date('2025-06-01T12:00:00Z');
    account = buildAccount();
    repository = new InMemoryRefreshTokenRepository();
    sut = new RefreshSessions(repository, { ttlSeconds: 3_600 }, () => clock);
  });

  it('should store only the hash of an opaque random token', async () => {
    const { token, expiresAt } = await sut.start(account);

    expect(token).toMatch(REFRESH_TOKEN_PATTERN);
    expect(repository.tokens.has(hashRefreshToken(token))).toBe(true);
    expect(JSON.stringify([...repository.tokens.values()])).not.toContain(token);
    expect(expiresAt).toEqual(new Date('2025-06-01T13:00:00Z'));
  });

  it('should rotate, extending the session, and refuse the spent token afterwards as reuse', async () => {
    const first = await sut.start(account);
    clock = new Date('2025-06-01T12:30:00Z');

    const second = await sut.rotate(first.token, lookup);
    const replay = sut.rotate(first.token, lookup);

    expect(second.refresh.expiresAt).toEqual(new Date('2025-06-01T13:30:00Z'));
    await expect(replay).rejects.toBeInstanceOf(RefreshTokenReusedError);
    await expect(sut.rotate(second.refresh.token, lookup)).rejects.toBeInstanceOf(InvalidRefreshTokenError);
    expect([...repository.sessions.values()][0]).toMatchObject({ revokedReason: 'reuse' });
  });

  it('should refuse an expired token', async () => {
    const first = await sut.start(account);
    clock = new Date('2025-06-01T13:00:00Z');

    await expect(sut.rotate(first.token, lookup)).rejects.toBeInstanceOf(InvalidRefreshTokenError);
  });

  it.each([
    ['the credentials version moved on', { credentialsVersion: 2 }],
    ['the account is disabled', { disabled: true }],
  ])('should refuse and end the session when %s', async (_, change) => {
    const first = await sut.start(account);
    account = buildAccount(change);

    await expect(sut.rotate(first.token, lookup)).rejects.toBeInstanceOf(InvalidRefreshTokenError);
    expect([...repository.sessions.values()][0]).toMatchObject({ revokedReason: 'credentials-changed' });
  });

  it('should end a session on logout and ignore unknown or malformed tokens', async () => {
    const first = await sut.start(account);

    await sut.end('prt_unknown');
    await sut.end(`prt_${'A'.repeat(43)}`);
    await sut.end(first.token);

    await expect(sut.rotate(first.token, lookup)).rejects.toBeInstanceOf(InvalidRefreshTokenError);
  });
});
