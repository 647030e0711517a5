import 'reflect-metadata';
import { IsDefined, IsIn, IsInt, IsNotEmpty, IsString, Matches, Max, Min } from 'class-validator';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Settings every Ponte service shares. Each app extends it with its own variables and its own PORT default.
 * Property names are the environment variable names, so an error message names exactly what to set.
 */
export class ServiceConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  /** 127.0.0.1 by default; containers set 0.0.0.0. */
  @IsString()
  @IsNotEmpty()
  HOST: string = '127.0.0.1';

  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 0;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /** Comma-separated host:port list. */
  @IsDefined({ message: '$property is required (comma-separated host:port list, e.g. 127.0.0.1:9092)' })
  @IsString()
  @Matches(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, { message: '$property must be a comma-separated host:port list' })
  KAFKA_BROKERS!: string;

  @IsDefined({ message: '$property is required (e.g. mongodb://127.0.0.1:27017/ponte)' })
  @IsString()
  @Matches(/^mongodb(\+srv)?:\/\//, { message: '$property must be a mongodb:// or mongodb+srv:// URL' })
  MONGO_URL!: string;

  /** Partitions of the topics a service provisions at start-up; the key keeps one conversation in order. */
  @IsInt()
  @Min(1)
  KAFKA_TOPIC_PARTITIONS: number = 3;

  /** 1 for a single local broker, 3 in production. */
  @IsInt()
  @Min(1)
  KAFKA_REPLICATION_FACTOR: number = 1;

  /**
   * Prepended to every topic and consumer-group name, so several environments (or test runs) can share one
   * cluster. Empty by default.
   */
  @IsString()
  @Matches(/^[a-zA-Z0-9._-]*$/, { message: '$property may only contain letters, digits, ".", "_" and "-"' })
  KAFKA_TOPIC_PREFIX: string = '';

  /**
   * The largest HTTP request body accepted, in bytes; larger ones get 413 before any handler runs. Webhooks are
   * small (Twilio's form posts, Meta's JSON, a few KiB), so the default leaves room without inviting abuse.
   */
  @IsInt()
  @Min(1_024)
  @Max(104_857_600)
  HTTP_BODY_LIMIT_BYTES: number = 1_048_576;

  /** Upper bound for a graceful stop (stop consuming, finish in-flight work, commit, close). */
  @IsInt()
  @Min(100)
  SHUTDOWN_TIMEOUT_MS: number = 10_000;

  get kafkaBrokers(): string[] {
    return this.KAFKA_BROKERS.split(',').map((broker) => broker.trim());
  }
}
