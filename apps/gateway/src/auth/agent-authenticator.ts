import type { AccountCredentialsCache } from '../accounts/account-credentials.cache';
import { UnauthenticatedError } from '../http/problem.error';
import type { AccessTokens } from './access-tokens';
import type { AgentPrincipal } from './agent-principal';

/**
 * Turns a bearer token into the calling agent: a valid signature and claims (AccessTokens), then the account as it is
 * now — enabled, same tenant, and the same credentials version the token was issued under. A password or role change
 * or a disabled flag bumps the version, so every earlier token fails here. Shared by the HTTP guard and the WebSocket
 * handshake (and its periodic re-check, LiveUpdatesServer).
 */
export class AgentAuthenticator {
  constructor(
    private readonly tokens: AccessTokens,
    private readonly credentials: AccountCredentialsCache,
  ) {}

  async authenticate(token: string): Promise<AgentPrincipal> {
    const claims = await this.tokens.verify(token);
    const account = await this.credentials.get(claims.accountId);
    if (
      !account ||
      account.disabled ||
      account.tenantId !== claims.tenantId ||
      account.credentialsVersion !== claims.credentialsVersion
    ) {
      throw new UnauthenticatedError('revoked');
    }
    return {
      tenantId: account.tenantId,
      accountId: claims.accountId,
      agentId: account.agentId,
      role: account.role,
      tokenId: claims.tokenId,
      expiresAt: claims.expiresAt,
    };
  }
}
