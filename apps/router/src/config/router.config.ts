import { ServiceConfig } from '@ponte/platform';
import { IsInt, Max, IsNotEmpty, IsString, Min } from 'class-validator';

/** Settings of the router service; shared ones (Kafka, MongoDB, logging) come from ServiceConfig. */
export class RouterConfig extends ServiceConfig {
  override PORT: number = 3001;

  /** Queues, agents and routing rules applied at start-up (idempotent; live load and presence are kept). */
  @IsString()
  @IsNotEmpty()
  ROUTER_SEED_FILE: string = 'apps/router/config/queues.seed.json';

  /** The tenant the seed file configures. */
  @IsString()
  @IsNotEmpty()
  ROUTER_SEED_TENANT: string = 'default';

  /** A message this long after resolution on a chat-like channel reopens the conversation instead of a new one. */
  @IsInt()
  @Min(0)
  ROUTER_REOPEN_WINDOW_MESSAGING_MIN: number = 24 * 60;

  /** The same for e-mail (a reply that references a stored Message-ID reopens whatever the time). */
  @IsInt()
  @Min(0)
  ROUTER_REOPEN_WINDOW_EMAIL_MIN: number = 7 * 24 * 60;

  /** How often overdue SLA clocks are checked. */
  @IsInt()
  @Min(100)
  ROUTER_SLA_CHECK_INTERVAL_MS: number = 15_000;

  /**
   * Partitions one instance handles side by side (each a batch at a time, in order), up to the partitions it is
   * assigned. On FerretDB more is slower: measured with bench:router, 6 gave 420 msg/s against 648 for 3, and 12 made
   * no progress (FerretDB's per-database connection pool). On MongoDB raise it with the partitions.
   */
  @IsInt()
  @Min(1)
  @Max(64)
  ROUTER_PARTITIONS_IN_PARALLEL: number = 3;

  /**
   * Records per batch a partition hands the router at most. Each batch costs a fixed handful of round trips, so larger
   * is faster up to a point: `npm run bench:router` measured 300 fastest (100 and 500 slower; see README "Measured").
   */
  @IsInt()
  @Min(1)
  @Max(1_000)
  ROUTER_MAX_BATCH_SIZE: number = 300;

  reopenWindowMs(channel: string): number {
    const minutes =
      channel === 'email' ? this.ROUTER_REOPEN_WINDOW_EMAIL_MIN : this.ROUTER_REOPEN_WINDOW_MESSAGING_MIN;
    return minutes * 60_000;
  }
}
