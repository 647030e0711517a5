import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { type AgentPrincipal, CurrentAgent, Roles } from '../auth/agent-principal';
import { ACCESS_TOKEN_SCHEME } from '../auth/auth.controller';
import { ApiProblems } from '../http/api-problem.decorators';
import {
  AccountListView,
  AccountView,
  CreateAccountBody,
  ListAccountsQuery,
  ResetPasswordBody,
  UpdateAccountBody,
} from './account.dto';
import { AccountsService } from './accounts.service';

/** Agent accounts of the admin's own tenant. */
@ApiTags('admin')
@ApiBearerAuth(ACCESS_TOKEN_SCHEME)
@ApiProblems(400, 401, 403, 429)
@Roles('admin')
@Controller('api/v1/admin/accounts')
export class AdminAccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @ApiOperation({ summary: 'Create an agent account' })
  @ApiCreatedResponse({ type: AccountView })
  @ApiProblems(409)
  create(@CurrentAgent() admin: AgentPrincipal, @Body() body: CreateAccountBody): Promise<AccountView> {
    return this.accounts.create(admin, body);
  }

  @Get()
  @ApiOperation({ summary: 'List the accounts of your tenant, by e-mail' })
  @ApiOkResponse({ type: AccountListView })
  list(@CurrentAgent() admin: AgentPrincipal, @Query() query: ListAccountsQuery): Promise<AccountListView> {
    return this.accounts.list(admin, query.limit, query.after);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One account' })
  @ApiOkResponse({ type: AccountView })
  @ApiProblems(404)
  get(@CurrentAgent() admin: AgentPrincipal, @Param('id') id: string): Promise<AccountView> {
    return this.accounts.get(admin, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change the role, disabled flag or display name',
    description:
      "A role or disabled change revokes the account's tokens. Admins cannot demote or disable themselves.",
  })
  @ApiOkResponse({ type: AccountView })
  @ApiProblems(404, 409)
  update(
    @CurrentAgent() admin: AgentPrincipal,
    @Param('id') id: string,
    @Body() body: UpdateAccountBody,
  ): Promise<AccountView> {
    return this.accounts.update(admin, id, body);
  }

  @Post(':id/password')
  @HttpCode(204)
  @ApiOperation({ summary: "Reset an account's password", description: "Revokes the account's tokens." })
  @ApiNoContentResponse()
  @ApiProblems(404)
  async resetPassword(
    @CurrentAgent() admin: AgentPrincipal,
    @Param('id') id: string,
    @Body() body: ResetPasswordBody,
  ): Promise<void> {
    await this.accounts.resetPassword(admin, id, body.password);
  }
}
