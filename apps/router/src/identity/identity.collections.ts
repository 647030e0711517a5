import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { isDuplicateKeyError } from '@ponte/persistence';
import type { Model } from 'mongoose';
import { CustomerKey } from './customer-key.schema';
import { CustomerMergeSuggestion } from './customer-merge-suggestion.schema';
import { CustomerMerge } from './customer-merge.schema';
import { Customer } from './customer.schema';
import { Identity } from './identity.schema';

/** The five collections of identity resolution, injected once and shared by its small classes. */
@Injectable()
export class IdentityCollections implements OnModuleInit {
  constructor(
    @InjectModel(Customer.name) readonly customers: Model<Customer>,
    @InjectModel(Identity.name) readonly identities: Model<Identity>,
    @InjectModel(CustomerKey.name) readonly keys: Model<CustomerKey>,
    @InjectModel(CustomerMerge.name) readonly merges: Model<CustomerMerge>,
    @InjectModel(CustomerMergeSuggestion.name) readonly suggestions: Model<CustomerMergeSuggestion>,
  ) {}

  /** The unique indexes carry the guarantees (one customer per key, one identity per address), so they must exist first. */
  async onModuleInit(): Promise<void> {
    await Promise.all([
      this.customers.init(),
      this.identities.init(),
      this.keys.init(),
      this.merges.init(),
      this.suggestions.init(),
    ]);
  }
}

/** Runs an upsert again when a concurrent upsert of the same `_id` won the insert (E11000): it then matches. */
export async function upsertRacing<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    return upsert();
  }
}
