import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GatewayConfig } from '../config/gateway.config';
import { ApiProblems } from '../http/api-problem.decorators';
import { RateLimit } from '../rate-limit/rate-limits';
import { type AgentPrincipal, CurrentAgent, Public } from './agent-principal';
import { ChangePasswordBody, LoginBody, PrincipalView, RefreshTokenBody, TokenPairView } from './auth.dto';
import { AuthService } from './auth.service';

export const ACCESS_TOKEN_SCHEME = 'access-token';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: GatewayConfig,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @RateLimit('login')
  @ApiOperation({ summary: 'Log in with e-mail and password: an access token and a refresh token' })
  @ApiOkResponse({ type: TokenPairView })
  @ApiProblems(400, 401, 413, 429)
  login(@Body() body: LoginBody): Promise<TokenPairView> {
    return this.auth.login({
      tenantId: body.tenantId ?? this.config.GATEWAY_DEFAULT_TENANT_ID,
      email: body.email,
      password: body.password,
    });
  }

  @Post('refresh')
  @HttpCode(200)
  @Public()
  @RateLimit('public')
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair; the old refresh token is spent',
    description: 'Presenting a spent refresh token again revokes its whole session (reuse detection).',
  })
  @ApiOkResponse({ type: TokenPairView })
  @ApiProblems(400, 401, 429)
  refresh(@Body() body: RefreshTokenBody): Promise<TokenPairView> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @Public()
  @RateLimit('public')
  @ApiOperation({
    summary: "End the refresh token's session",
    description: 'Idempotent. The access token stays valid until it expires (at most its lifetime).',
  })
  @ApiNoContentResponse()
  @ApiProblems(400, 429)
  async logout(@Body() body: RefreshTokenBody): Promise<void> {
    await this.auth.logout(body.refreshToken);
  }

  @Post('password')
  @HttpCode(200)
  @ApiBearerAuth(ACCESS_TOKEN_SCHEME)
  @ApiOperation({
    summary: 'Change your own password',
    description: 'Revokes every earlier access and refresh token of the account and returns a new pair.',
  })
  @ApiOkResponse({ type: TokenPairView })
  @ApiProblems(400, 401, 429)
  changePassword(
    @CurrentAgent() agent: AgentPrincipal,
    @Body() body: ChangePasswordBody,
  ): Promise<TokenPairView> {
    return this.auth.changePassword(agent, body.currentPassword, body.newPassword);
  }

  @Get('me')
  @ApiBearerAuth(ACCESS_TOKEN_SCHEME)
  @ApiOperation({ summary: 'Who the access token belongs to' })
  @ApiOkResponse({ type: PrincipalView })
  @ApiProblems(401, 429)
  me(@CurrentAgent() agent: AgentPrincipal): PrincipalView {
    return {
      tenantId: agent.tenantId,
      accountId: agent.accountId,
      agentId: agent.agentId,
      role: agent.role,
      expiresAt: agent.expiresAt.toISOString(),
    };
  }
}
