import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { CustomerDirectory } from './customer-directory';
import { CustomerGraph } from './customer-graph';
import { CustomerKey, CustomerKeySchema } from './customer-key.schema';
import { CustomerMergeSuggestion, CustomerMergeSuggestionSchema } from './customer-merge-suggestion.schema';
import { CustomerMerge, CustomerMergeSchema } from './customer-merge.schema';
import { CustomerMerger } from './customer-merger';
import { Customer, CustomerSchema } from './customer.schema';
import { IdentityCollections } from './identity.collections';
import { IdentityLinker } from './identity-linker';
import { Identity, IdentitySchema } from './identity.schema';
import { MergeSuggester } from './merge-suggester';
import { SenderResolver } from './sender-resolver';

/**
 * Customers and identities of the router. It uses the app's MongoDB connection (PersistenceModule, imported once
 * by the app) and exposes only CustomerDirectory.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Customer.name, schema: CustomerSchema },
      { name: Identity.name, schema: IdentitySchema },
      { name: CustomerKey.name, schema: CustomerKeySchema },
      { name: CustomerMerge.name, schema: CustomerMergeSchema },
      { name: CustomerMergeSuggestion.name, schema: CustomerMergeSuggestionSchema },
    ]),
  ],
  providers: [
    IdentityCollections,
    CustomerGraph,
    MergeSuggester,
    SenderResolver,
    CustomerMerger,
    IdentityLinker,
    CustomerDirectory,
  ],
  exports: [CustomerDirectory],
})
export class IdentityModule {}
