import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Argon2PasswordHasher, PasswordHasher } from '../auth/password-hasher';
import { GatewayConfig } from '../config/gateway.config';
import { AccountCredentialsCache } from './account-credentials.cache';
import { AccountRepository, MongoAccountRepository } from './account.repository';
import { Account, AccountSchema } from './account.schema';
import { AccountsService } from './accounts.service';
import { AdminAccountsController } from './admin-accounts.controller';
import { AdminSeeder } from './admin-seeder';

/** Agent accounts: storage, password hashing, the first admin, and the admins' endpoints. */
@Module({
  imports: [MongooseModule.forFeature([{ name: Account.name, schema: AccountSchema }])],
  controllers: [AdminAccountsController],
  providers: [
    { provide: AccountRepository, useClass: MongoAccountRepository },
    {
      provide: PasswordHasher,
      inject: [GatewayConfig],
      useFactory: (config: GatewayConfig) =>
        new Argon2PasswordHasher({
          memoryCostKib: config.GATEWAY_PASSWORD_HASH_MEMORY_KIB,
          timeCost: config.GATEWAY_PASSWORD_HASH_TIME_COST,
        }),
    },
    {
      provide: AccountCredentialsCache,
      inject: [AccountRepository, GatewayConfig],
      useFactory: (accounts: AccountRepository, config: GatewayConfig) =>
        new AccountCredentialsCache((id) => accounts.findById(id), config.GATEWAY_ACCOUNT_CACHE_MS),
    },
    AccountsService,
    AdminSeeder,
  ],
  exports: [AccountRepository, PasswordHasher, AccountCredentialsCache],
})
export class AccountsModule {}
