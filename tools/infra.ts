/*
 * `npm run infra`: only Kafka and FerretDB, in the foreground, for running services from an IDE or `npx nx serve`.
 * Prints the variables to export; Ctrl-C stops both.
 */
import { startDevInfra } from './dev/local-settings';

async function main(): Promise<void> {
  const infra = await startDevInfra((message) => console.log(`ponte: ${message}`));
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
