/*
 * `npm run infra`: only Kafka and FerretDB, in the foreground, for running services from an IDE or `npx nx serve`.
 * Prints the variables to export; Ctrl-C stops both.
 */
import { startLocalInfra } from '@ponte/local-infra';
import { infraPort, dataDir } from './dev/local-settings';

async function main(): Promise<void> {
  const infra = await startLocalInfra({
    dataDir: dataDir(),
    ports: {
      kafka: await infraPort('PONTE_KAFKA_PORT', 9092),
      mongo: await infraPort('PONTE_MONGO_PORT', 27017),
    },
    progress: (message) => console.log(`ponte: ${message}`),
  });
  console.log(
    `\nexport KAFKA_BROKERS=${infra.kafkaBrokers}\nexport MONGO_URL=${infra.mongoUrl}\n\nCtrl-C stops both.`,
  );
  const stop = (): void => {
    void infra.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
