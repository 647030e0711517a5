import type { LoggerService } from '@nestjs/common';
import type { EnvelopeCodec } from '../contract/envelope.codec';

/** The subset of Nest's LoggerService the lib writes to; any Nest or pino logger fits. */
export type MessagingLogger = Pick<LoggerService, 'log' | 'warn' | 'error'> &
  Partial<Pick<LoggerService, 'debug'>>;

export type MessagingLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export interface TopicSettings {
  /** -1 (the default) takes the broker's `num.partitions`. */
  readonly partitions: number;
  /** -1 (the default) takes the broker's `default.replication.factor`. */
  readonly replicationFactor: number;
}

export interface RetrySettings {
  /** Handler attempts before the message goes to its DLQ (1 = no retry). */
  readonly attempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

/** Consumer-group timings; small values only make sense in tests. */
export interface GroupTimings {
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** Long-poll of an idle fetch; a stopping consumer waits for it, so it bounds the shutdown time too. */
  readonly fetchMaxWaitMs: number;
}

export interface MessagingOptions {
  readonly clientId: string;
  readonly brokers: readonly string[];
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /**
   * Prepended to every physical topic name, so several environments (or test runs) can share a cluster
   * while the code keeps using the contract's topic names.
   */
  readonly topicPrefix?: string;
  readonly topics?: Partial<TopicSettings>;
  readonly retry?: Partial<RetrySettings>;
  readonly group?: Partial<GroupTimings>;
  readonly logger?: MessagingLogger;
  readonly logLevel?: MessagingLogLevel;
  /** Defaults to the @ponte/contracts codec; replaceable for tests and benchmarks. */
  readonly codec?: EnvelopeCodec;
}

export const DEFAULT_TOPIC_SETTINGS: TopicSettings = { partitions: -1, replicationFactor: -1 };
export const DEFAULT_RETRY_SETTINGS: RetrySettings = {
  attempts: 5,
  initialBackoffMs: 200,
  maxBackoffMs: 10_000,
};
// kafkajs defaults: long enough for a GC pause or a slow handler between heartbeats.
export const DEFAULT_GROUP_TIMINGS: GroupTimings = {
  sessionTimeoutMs: 30_000,
  rebalanceTimeoutMs: 60_000,
  heartbeatIntervalMs: 3_000,
  fetchMaxWaitMs: 1_000,
};

export function physicalTopic(options: Pick<MessagingOptions, 'topicPrefix'>, topic: string): string {
  return `${options.topicPrefix ?? ''}${topic}`;
}
