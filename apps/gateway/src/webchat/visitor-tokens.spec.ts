import { SignJWT, UnsecuredJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import { AccessTokens } from '../auth/access-tokens';
import { UnauthenticatedError } from '../http/problem.error';
import { identityHash, verifiedIdentities } from './identity-verification';
import { newVisitorId, type Visitor, VisitorTokens, visitorTokenKey } from './visitor-tokens';

const AGENT_KEY = randomBytes(32);
const NOW = new Date('2026-11-23T12:00:00Z');
const VISITOR: Visitor = {
  tenantId: 'acme',
  inboxId: 'website',
  visitorId: newVisitorId(),
  name: 'Ana',
  verified: [{ channel: 'email', address: 'ana@example.com' }],
  claimed: [{ channel: 'sms', address: '+5511987654321' }],
};

function tokens(now = NOW): VisitorTokens {
  return new VisitorTokens(
    { key: visitorTokenKey(AGENT_KEY), issuer: 'ponte-gateway', ttlSeconds: 3_600 },
    () => now,
  );
}

describe(VisitorTokens.name, () => {
  it('should give back the visitor it was issued for', async () => {
    const { token, expiresAt } = await tokens().issue(VISITOR);

    await expect(tokens().verify(token)).resolves.toEqual(VISITOR);
    expect(expiresAt).toEqual(new Date('2026-11-23T13:00:00Z'));
  });

  it('should refuse an expired token as expired', async () => {
    const { token } = await tokens().issue(VISITOR);

    await expect(tokens(new Date('2026-11-23T13:00:01Z')).verify(token)).rejects.toMatchObject({
      detail: expect.stringMatching(/expired/),
    });
  });

  it("should refuse an agent's access token signed with the agents' key", async () => {
    const agentTokens = new AccessTokens(
      {
        key: AGENT_KEY,
        issuer: 'ponte-gateway',
        audience: 'ponte-webchat',
        ttlSeconds: 600,
        clockToleranceSeconds: 0,
      },
      () => NOW,
    );
    const { token } = await agentTokens.issue({
      accountId: 'a1',
      tenantId: 'acme',
      agentId: 'ana',
      role: 'admin',
      credentialsVersion: 1,
    });

    await expect(tokens().verify(token)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('should refuse alg none and a token that claims verified identities it was not issued with', async () => {
    const unsecured = new UnsecuredJWT({ tenantId: 'acme', inboxId: 'website', verified: [] })
      .setSubject('v_x')
      .setIssuer('ponte-gateway')
      .setAudience('ponte-webchat')
      .setIssuedAt()
      .setExpirationTime('1h')
      .encode();
    const forged = await new SignJWT({ tenantId: 'acme', inboxId: 'website', verified: VISITOR.verified })
      .setProtectedHeader({ alg: 'HS256', typ: 'ponte-visitor+jwt' })
      .setSubject('v_x')
      .setIssuer('ponte-gateway')
      .setAudience('ponte-webchat')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(randomBytes(32));

    await expect(tokens().verify(unsecured)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(tokens().verify(forged)).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});

describe(verifiedIdentities.name, () => {
  const secret = randomBytes(32).toString('hex');

  it('should verify the e-mail and the phone whose hashes match, and only those', () => {
    expect(
      verifiedIdentities(secret, {
        email: 'ana@example.com',
        emailHash: identityHash(secret, 'ana@example.com'),
        phone: '+5511987654321',
      }),
    ).toEqual([{ channel: 'email', address: 'ana@example.com' }]);
  });

  it('should accept the hash in upper case hex and refuse one made with another secret', () => {
    const email = 'ana@example.com';

    expect(
      verifiedIdentities(secret, { email, emailHash: identityHash(secret, email).toUpperCase() }),
    ).toHaveLength(1);
    expect(() =>
      verifiedIdentities(secret, { email, emailHash: identityHash('another secret', email) }),
    ).toThrow(/emailHash does not match/);
  });
});
