import { Logger, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { randomBytes } from 'node:crypto';
import { AccountCredentialsCache } from '../accounts/account-credentials.cache';
import { AccountsModule } from '../accounts/accounts.module';
import { GatewayConfig } from '../config/gateway.config';
import { AccessTokens } from './access-tokens';
import { AgentAuthenticator } from './agent-authenticator';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginBackoff } from './login-backoff';
import { RefreshSessions } from './refresh-sessions';
import { MongoRefreshTokenRepository, RefreshTokenRepository } from './refresh-token.repository';
import {
  RefreshSession,
  RefreshSessionSchema,
  RefreshToken,
  RefreshTokenSchema,
} from './refresh-token.schema';
import { RefreshTokenSweeper } from './refresh-token.sweeper';

/**
 * The access tokens' key. Without GATEWAY_JWT_SECRET (allowed outside production only; the config refuses it there)
 * a random key per process: tokens end with a restart and no other instance accepts them, but no known key ever signs.
 */
export function accessTokenKey(config: GatewayConfig): Uint8Array {
  if (config.GATEWAY_JWT_SECRET) return new TextEncoder().encode(config.GATEWAY_JWT_SECRET);
  new Logger('AccessTokens').warn(
    'GATEWAY_JWT_SECRET is not set: signing with a random key of this process, so tokens end with a restart. ' +
      'Set it (at least 32 random bytes) to keep them; NODE_ENV=production refuses to start without it.',
  );
  return randomBytes(32);
}

/** The access tokens' key, once per process (the web chat derives its visitor-token key from it). */
export const ACCESS_TOKEN_KEY = Symbol('ACCESS_TOKEN_KEY');

/** Login, tokens, refresh sessions, and the guard every route passes. */
@Module({
  imports: [
    AccountsModule,
    MongooseModule.forFeature([
      { name: RefreshSession.name, schema: RefreshSessionSchema },
      { name: RefreshToken.name, schema: RefreshTokenSchema },
    ]),
  ],
  controllers: [AuthController],
  providers: [
    { provide: ACCESS_TOKEN_KEY, inject: [GatewayConfig], useFactory: accessTokenKey },
    {
      provide: AccessTokens,
      inject: [GatewayConfig, ACCESS_TOKEN_KEY],
      useFactory: (config: GatewayConfig, key: Uint8Array) =>
        new AccessTokens({
          key,
          issuer: config.GATEWAY_JWT_ISSUER,
          audience: config.GATEWAY_JWT_AUDIENCE,
          ttlSeconds: config.GATEWAY_ACCESS_TOKEN_TTL_SECONDS,
          clockToleranceSeconds: config.GATEWAY_JWT_CLOCK_TOLERANCE_SECONDS,
        }),
    },
    { provide: RefreshTokenRepository, useClass: MongoRefreshTokenRepository },
    {
      provide: RefreshSessions,
      inject: [RefreshTokenRepository, GatewayConfig],
      useFactory: (repository: RefreshTokenRepository, config: GatewayConfig) =>
        new RefreshSessions(repository, { ttlSeconds: config.GATEWAY_REFRESH_TOKEN_TTL_SECONDS }),
    },
    {
      provide: LoginBackoff,
      inject: [GatewayConfig],
      useFactory: (config: GatewayConfig) =>
        new LoginBackoff({
          afterFailures: config.GATEWAY_LOGIN_BACKOFF_AFTER_FAILURES,
          maxSeconds: config.GATEWAY_LOGIN_BACKOFF_MAX_SECONDS,
        }),
    },
    {
      provide: AgentAuthenticator,
      inject: [AccessTokens, AccountCredentialsCache],
      useFactory: (tokens: AccessTokens, credentials: AccountCredentialsCache) =>
        new AgentAuthenticator(tokens, credentials),
    },
    AuthService,
    AuthGuard,
    RefreshTokenSweeper,
  ],
  exports: [AuthGuard, AgentAuthenticator, ACCESS_TOKEN_KEY],
})
export class AuthModule {}
