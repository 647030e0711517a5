import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { MessagingLogger, MessagingLogLevel, MessagingOptions } from '../config/messaging.options';

const LOG_LEVELS: Record<MessagingLogLevel, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/** Routes kafkajs' own log lines into the pluggable logger instead of kafkajs' console JSON. */
export function kafkaLogCreator(logger: MessagingLogger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const line = `[${namespace}] ${message} ${JSON.stringify(extra)}`;
      // kafkajs logs every protocol error response at ERROR ("coordinator is loading", "not the leader"…), then
      // retries it; a failure that survives the retries reaches the caller as an exception. So: debug.
      if (namespace === 'Connection' && message.startsWith('Response ')) return logger.debug?.(line);
      switch (level) {
        case logLevel.ERROR:
          return logger.error(line);
        case logLevel.WARN:
          return logger.warn(line);
        case logLevel.INFO:
          return logger.log(line);
        case logLevel.DEBUG:
          return logger.debug?.(line);
        case logLevel.NOTHING:
          return undefined;
      }
    };
}

export function defaultLogger(options: MessagingOptions): MessagingLogger {
  return options.logger ?? new Logger(`Kafka:${options.clientId}`);
}

export function createKafkaClient(
  options: MessagingOptions,
  overrides: { connectionTimeoutMs?: number; retries?: number } = {},
): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: overrides.connectionTimeoutMs ?? options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    logLevel: LOG_LEVELS[options.logLevel ?? 'info'],
    logCreator: kafkaLogCreator(defaultLogger(options)),
    ...(overrides.retries === undefined ? {} : { retry: { retries: overrides.retries } }),
  });
}
