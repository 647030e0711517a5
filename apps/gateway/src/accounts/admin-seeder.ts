import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PasswordHasher } from '../auth/password-hasher';
import { GatewayConfig } from '../config/gateway.config';
import { AccountConflictError } from '../http/problem.error';
import { AccountRepository } from './account.repository';
import { normalizeEmail } from './email-address';

export class AdminSeedError extends Error {
  readonly code = 'GATEWAY_ADMIN_SEED_CONFLICT';

  constructor(message: string) {
    super(message);
    this.name = AdminSeedError.name;
  }
}

/**
 * Creates the first admin from GATEWAY_ADMIN_EMAIL / GATEWAY_ADMIN_PASSWORD on a boot that finds no admin in the
 * default tenant. It never changes an existing account: once any admin exists the settings are ignored (change the
 * password through the API), and an e-mail or agent id already taken by a non-admin stops the boot with an
 * explanation. The password's strength was checked with the rest of the config, before anything connected.
 */
@Injectable()
export class AdminSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminSeeder.name);

  constructor(
    private readonly accounts: AccountRepository,
    private readonly hasher: PasswordHasher,
    private readonly config: GatewayConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const tenantId = this.config.GATEWAY_DEFAULT_TENANT_ID;
    const { GATEWAY_ADMIN_EMAIL: email, GATEWAY_ADMIN_PASSWORD: password } = this.config;
    if (await this.accounts.hasAdmin(tenantId)) return;
    if (!email || !password) {
      this.logger.warn(
        `tenant ${tenantId} has no admin account: set GATEWAY_ADMIN_EMAIL and GATEWAY_ADMIN_PASSWORD to create one`,
      );
      return;
    }
    const now = new Date();
    try {
      await this.accounts.insert({
        _id: randomUUID(),
        tenantId,
        agentId: this.config.GATEWAY_ADMIN_AGENT_ID,
        email: normalizeEmail(email),
        displayName: this.config.GATEWAY_ADMIN_DISPLAY_NAME,
        role: 'admin',
        passwordHash: await this.hasher.hash(password),
        credentialsVersion: 1,
        disabled: false,
        createdAt: now,
        updatedAt: now,
        passwordChangedAt: now,
      });
      this.logger.log(`created the first admin of tenant ${tenantId} (${normalizeEmail(email)})`);
    } catch (error) {
      if (!(error instanceof AccountConflictError)) throw error;
      // Another instance booting at the same time may have created it.
      if (await this.accounts.hasAdmin(tenantId)) return;
      const setting = error.field === 'email' ? 'GATEWAY_ADMIN_EMAIL' : 'GATEWAY_ADMIN_AGENT_ID';
      throw new AdminSeedError(
        `Cannot create the first admin of tenant ${tenantId}: ${setting} is already used by an account that is not ` +
          'an admin, and the seed never changes existing accounts. Choose another value, or make that account an admin.',
      );
    }
  }
}
