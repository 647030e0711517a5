import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { RefreshTokenRepository } from './refresh-token.repository';

const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** Deletes expired refresh tokens and sessions every hour: FerretDB 1.24 has no TTL indexes to do it. */
@Injectable()
export class RefreshTokenSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RefreshTokenSweeper.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly repository: RefreshTokenRepository) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async sweep(now = new Date()): Promise<number> {
    try {
      const deleted = await this.repository.deleteExpired(now);
      if (deleted > 0) this.logger.log({ deleted }, 'deleted expired refresh tokens and sessions');
      return deleted;
    } catch (error) {
      this.logger.warn({ err: error }, 'could not delete expired refresh tokens; will retry');
      return 0;
    }
  }
}
