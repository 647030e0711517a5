import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AgentPrincipal } from '../auth/agent-principal';
import { PasswordHasher } from '../auth/password-hasher';
import { passwordProblems } from '../auth/password-policy';
import { GatewayConfig } from '../config/gateway.config';
import {
  AccountNotFoundError,
  OwnAccountError,
  RequestValidationError,
  WeakPasswordError,
} from '../http/problem.error';
import type { AccountListView, CreateAccountBody, UpdateAccountBody } from './account.dto';
import { AccountView } from './account.dto';
import { AccountCredentialsCache } from './account-credentials.cache';
import { AccountRepository } from './account.repository';
import type { Account } from './account.schema';

const DEFAULT_PAGE_SIZE = 50;

/** What admins do with the accounts of their tenant. Every change that matters for access revokes earlier tokens. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly hasher: PasswordHasher,
    private readonly credentials: AccountCredentialsCache,
    private readonly config: GatewayConfig,
  ) {}

  async create(admin: AgentPrincipal, body: CreateAccountBody): Promise<AccountView> {
    this.checkPassword('password', body.password, body);
    const now = new Date();
    const account = await this.accounts.insert({
      _id: randomUUID(),
      tenantId: admin.tenantId,
      agentId: body.agentId,
      email: body.email,
      displayName: body.displayName,
      role: body.role,
      passwordHash: await this.hasher.hash(body.password),
      credentialsVersion: 1,
      disabled: false,
      createdAt: now,
      updatedAt: now,
      passwordChangedAt: now,
    });
    return AccountView.of(account);
  }

  async get(admin: AgentPrincipal, id: string): Promise<AccountView> {
    return AccountView.of(await this.find(admin, id));
  }

  async list(admin: AgentPrincipal, limit = DEFAULT_PAGE_SIZE, after?: string): Promise<AccountListView> {
    const page = await this.accounts.list(admin.tenantId, limit, after);
    return { accounts: page.accounts.map(AccountView.of), ...(page.next ? { next: page.next } : {}) };
  }

  async update(admin: AgentPrincipal, id: string, body: UpdateAccountBody): Promise<AccountView> {
    if (body.role === undefined && body.disabled === undefined && body.displayName === undefined) {
      throw new RequestValidationError([], 'Nothing to change: give role, disabled or displayName.');
    }
    const account = await this.find(admin, id);
    const roleChanges = body.role !== undefined && body.role !== account.role;
    const disabledChanges = body.disabled !== undefined && body.disabled !== account.disabled;
    if (account._id === admin.accountId && (roleChanges || body.disabled === true))
      throw new OwnAccountError();
    const updated = await this.accounts.update(admin.tenantId, id, {
      ...(body.role !== undefined ? { role: body.role } : {}),
      ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
      ...(body.displayName !== undefined ? { displayName: body.displayName } : {}),
      bumpCredentials: roleChanges || disabledChanges,
    });
    this.credentials.evict(id);
    if (!updated) throw new AccountNotFoundError(id);
    return AccountView.of(updated);
  }

  /** Sets a new password chosen by an admin; the account's tokens and sessions are revoked. */
  async resetPassword(admin: AgentPrincipal, id: string, password: string): Promise<void> {
    const account = await this.find(admin, id);
    this.checkPassword('password', password, account);
    const updated = await this.accounts.update(admin.tenantId, id, {
      passwordHash: await this.hasher.hash(password),
      bumpCredentials: true,
    });
    this.credentials.evict(id);
    if (!updated) throw new AccountNotFoundError(id);
  }

  private async find(admin: AgentPrincipal, id: string): Promise<Account> {
    const account = await this.accounts.findInTenant(admin.tenantId, id);
    if (!account) throw new AccountNotFoundError(id);
    return account;
  }

  private checkPassword(
    field: string,
    password: string,
    owner: { email: string; displayName: string },
  ): void {
    const problems = passwordProblems(password, owner, this.config.passwordPolicy);
    if (problems.length > 0) throw new WeakPasswordError(field, problems);
  }
}
