import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { AgentRole } from '@ponte/contracts';
import { isDuplicateKeyError } from '@ponte/persistence';
import type { Model } from 'mongoose';
import { AccountConflictError } from '../http/problem.error';
import { Account } from './account.schema';

/** What an update may change; `bumpCredentials` revokes every token issued before it. */
export interface AccountChanges {
  role?: AgentRole;
  disabled?: boolean;
  displayName?: string;
  passwordHash?: string;
  bumpCredentials: boolean;
}

export interface AccountPage {
  accounts: Account[];
  /** Pass as `after` for the next page; absent on the last one. */
  next?: string;
}

/** Port of the accounts collection: the domain logic runs against an in-memory fake in unit tests. */
export abstract class AccountRepository {
  abstract findById(id: string): Promise<Account | null>;
  abstract findInTenant(tenantId: string, id: string): Promise<Account | null>;
  abstract findByEmail(tenantId: string, email: string): Promise<Account | null>;
  abstract hasAdmin(tenantId: string): Promise<boolean>;
  /** Ordered by e-mail, `limit` at a time, after the e-mail given. */
  abstract list(tenantId: string, limit: number, after?: string): Promise<AccountPage>;
  /** Throws AccountConflictError when the tenant already has the e-mail or the agent id. */
  abstract insert(account: Account): Promise<Account>;
  /** The account after the change, or null when the tenant has no such account. */
  abstract update(tenantId: string, id: string, changes: AccountChanges): Promise<Account | null>;
  /** Replaces a hash made with older parameters, unless the password changed meanwhile; tokens stay valid. */
  abstract rehash(id: string, previousHash: string, passwordHash: string): Promise<void>;
}

/**
 * MongoDB (and FerretDB 1.24) accounts. The unique indexes (tenant + e-mail, tenant + agent id) decide conflicts, so
 * two concurrent creations of one login end as one account and one 409, without a prior read.
 */
@Injectable()
export class MongoAccountRepository extends AccountRepository implements OnModuleInit {
  constructor(@InjectModel(Account.name) private readonly accounts: Model<Account>) {
    super();
  }

  async onModuleInit(): Promise<void> {
    await this.accounts.init();
  }

  findById(id: string): Promise<Account | null> {
    return this.accounts.findById(id).lean<Account>().exec();
  }

  findInTenant(tenantId: string, id: string): Promise<Account | null> {
    return this.accounts.findOne({ _id: id, tenantId }).lean<Account>().exec();
  }

  findByEmail(tenantId: string, email: string): Promise<Account | null> {
    return this.accounts.findOne({ tenantId, email }).lean<Account>().exec();
  }

  async hasAdmin(tenantId: string): Promise<boolean> {
    return (await this.accounts.findOne({ tenantId, role: 'admin' }, { _id: 1 }).lean().exec()) !== null;
  }

  async list(tenantId: string, limit: number, after?: string): Promise<AccountPage> {
    const accounts = await this.accounts
      .find({ tenantId, ...(after === undefined ? {} : { email: { $gt: after } }) })
      .sort({ email: 1 })
      .limit(limit + 1)
      .lean<Account[]>()
      .exec();
    const page = accounts.slice(0, limit);
    const last = page[page.length - 1];
    return { accounts: page, ...(accounts.length > limit && last ? { next: last.email } : {}) };
  }

  async insert(account: Account): Promise<Account> {
    try {
      await this.accounts.create(account);
      return account;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // FerretDB does not always say which index refused the write; the e-mail is checked first, as a caller would.
      const taken = await this.findByEmail(account.tenantId, account.email);
      throw new AccountConflictError(taken ? 'email' : 'agentId');
    }
  }

  async update(tenantId: string, id: string, changes: AccountChanges): Promise<Account | null> {
    const { bumpCredentials, passwordHash, ...fields } = changes;
    const now = new Date();
    const set: Partial<Account> = { ...fields, updatedAt: now };
    if (passwordHash !== undefined) Object.assign(set, { passwordHash, passwordChangedAt: now });
    return this.accounts
      .findOneAndUpdate(
        { _id: id, tenantId },
        { $set: set, ...(bumpCredentials ? { $inc: { credentialsVersion: 1 } } : {}) },
        { returnDocument: 'after' },
      )
      .lean<Account>()
      .exec();
  }

  async rehash(id: string, previousHash: string, passwordHash: string): Promise<void> {
    await this.accounts.updateOne({ _id: id, passwordHash: previousHash }, { $set: { passwordHash } }).exec();
  }
}
