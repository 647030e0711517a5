import { startLocalInfra } from '@ponte/local-infra';
import { TEST_INFRA_KEY, type TestInfraHandle } from './test-infra.handle';

/*
 * Starts Kafka and FerretDB once per jest run (throw-away data) unless KAFKA_BROKERS and MONGO_URL are given, and
 * publishes them through the environment, which the test workers inherit. With several projects, jest runs every
 * project's global setup in this same process: the first one starts the servers, the others find the variables.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env['KAFKA_BROKERS'] && process.env['MONGO_URL']) return;
  const started = Date.now();
  const infra = await startLocalInfra({
    progress: (message) => process.stderr.write(`[ponte test infra] ${message}\n`),
  });
  const handle: TestInfraHandle = { infra, setVariables: [] };
  (globalThis as Record<symbol, unknown>)[TEST_INFRA_KEY] = handle;
  for (const [name, value] of [
    ['KAFKA_BROKERS', infra.kafkaBrokers],
    ['MONGO_URL', infra.mongoUrl],
  ] as const) {
    if (!process.env[name] && value) {
      process.env[name] = value;
      handle.setVariables.push(name);
    }
  }
  process.stderr.write(
    `[ponte test infra] Kafka ${infra.kafkaBrokers}, FerretDB ${infra.mongoUrl} ready in ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}
