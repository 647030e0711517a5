import { existsSync } from 'node:fs';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { KafkaTransport, MESSAGING_OPTIONS, type MessagingOptions } from '@ponte/messaging';
import { Logger } from 'nestjs-pino';
import { ConfigValidationError, loadConfig } from '../config/load-config';
import type { ServiceConfig } from '../config/service-config';

export interface ServiceDefinition<C extends ServiceConfig> {
  name: string;
  configClass: new () => C;
  /** The root module, built from the validated config (no module reads the environment itself). */
  module: (config: C) => DynamicModule;
  /**
   * Set when the service handles Kafka topics with @EventPattern handlers: the consumer group those handlers
   * join (one group per service, so every instance of it shares the partitions).
   */
  consumerGroup?: string;
}

/**
 * Builds and starts a service: Fastify HTTP on HOST:PORT, JSON logs, and, for consumers, the Kafka transport
 * as a hybrid microservice that shares the app's pipes and filters (inheritAppConfig), so Kafka payloads are
 * validated like HTTP bodies. Used by main.ts and by the integration tests alike.
 */
export async function createServiceApp<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    definition.module(config),
    new FastifyAdapter({ bodyLimit: config.HTTP_BODY_LIMIT_BYTES }),
    { bufferLogs: true, rawBody: true, abortOnError: false },
  );
  app.useLogger(app.get(Logger));
  app.flushLogs();
  if (definition.consumerGroup) {
    const transport = new KafkaTransport({
      messaging: app.get<MessagingOptions>(MESSAGING_OPTIONS),
      groupId: `${config.KAFKA_TOPIC_PREFIX}${definition.consumerGroup}`,
    });
    app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  await app.listen({ port: config.PORT, host: config.HOST });
  return app;
}

/**
 * The process entry point of a service. Reads `.env` when present, validates the config (exiting with a message
 * naming each bad variable), starts the app and stops it gracefully on SIGTERM/SIGINT within SHUTDOWN_TIMEOUT_MS.
 */
export async function runService<C extends ServiceConfig>(definition: ServiceDefinition<C>): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: C;
  try {
    config = loadConfig(definition.configClass, process.env, definition.name);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }

  let app: NestFastifyApplication;
  try {
    app = await createServiceApp(definition, config);
  } catch (error) {
    process.stderr.write(
      `${definition.name} failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  }
  const logger = app.get(Logger);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log({ signal }, `${definition.name} stopping`);
      setTimeout(() => {
        logger.error(`${definition.name} did not stop within ${config.SHUTDOWN_TIMEOUT_MS} ms, exiting`);
        process.exit(1);
      }, config.SHUTDOWN_TIMEOUT_MS).unref();
      // close() stops the Kafka consumers (in-flight handlers finish, their offsets are committed), then runs the
      // modules' shutdown hooks (producer flush, MongoDB close) and stops the HTTP server.
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, `${definition.name} failed to stop cleanly`);
          process.exit(1);
        },
      );
    });
  }
  logger.log(`${definition.name} listening on ${await app.getUrl()}`);
}
