import {
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { AgentCommands } from '../commands/agent-commands.service';
import { CommandOutcomes } from '../commands/command-outcomes';
import {
  IdempotencyKeys,
  IdempotencyRepository,
  MongoIdempotencyRepository,
} from '../commands/idempotency-keys';
import { GatewayConfig } from '../config/gateway.config';
import { AdminConfigurationController } from './admin-configuration.controller';
import { ConversationAccess } from './conversation-access';
import { ConversationReads } from './conversation-reads.service';
import { ConversationsController } from './conversations.controller';
import { CustomersController } from './customers.controller';
import { DirectoryController } from './directory.controller';
import { ReplyCheck } from './reply-check';
import { RouterReadModel } from './router-read.repository';

/** A retry after this long may publish the command again, in case the first attempt died before publishing. */
const IDEMPOTENCY_STALE_MS = 30_000;
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** Deletes expired Idempotency-Keys every hour: FerretDB 1.24 has no TTL indexes. */
@Injectable()
class IdempotencyKeySweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(IdempotencyKeySweeper.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly keys: IdempotencyKeys) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () =>
        void this.keys.sweep().catch((error: unknown) => {
          this.logger.warn({ err: error }, 'could not delete expired Idempotency-Keys; will retry');
        }),
      SWEEP_INTERVAL_MS,
    );
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}

/** The agents' conversations API: the read model of the router's collections, authorization, and the commands. */
@Module({
  controllers: [
    ConversationsController,
    CustomersController,
    DirectoryController,
    AdminConfigurationController,
  ],
  providers: [
    RouterReadModel,
    ConversationAccess,
    ConversationReads,
    ReplyCheck,
    CommandOutcomes,
    AgentCommands,
    { provide: IdempotencyRepository, useClass: MongoIdempotencyRepository },
    {
      provide: IdempotencyKeys,
      inject: [IdempotencyRepository, GatewayConfig],
      useFactory: (repository: IdempotencyRepository, config: GatewayConfig) =>
        new IdempotencyKeys(repository, {
          ttlMs: config.GATEWAY_IDEMPOTENCY_TTL_SECONDS * 1000,
          staleMs: IDEMPOTENCY_STALE_MS,
        }),
    },
    IdempotencyKeySweeper,
  ],
  // The live updates authorize with the same rule and listen to the same event consumer.
  exports: [ConversationAccess, CommandOutcomes, RouterReadModel],
})
export class ConversationsModule {}
