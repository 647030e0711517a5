import { resolve } from 'node:path';
import { freePort, isPortFree, type LocalInfra, startLocalInfra } from '@ponte/local-infra';

/** Where `npm start` and `npm run infra` keep Kafka's and FerretDB's data between runs. */
export function dataDir(): string {
  return resolve(process.env['PONTE_DATA_DIR'] || '.ponte/data');
}

/**
 * The port from `variable` when set (busy is then an error of startLocalInfra); otherwise `preferred`, or a free
 * port when `preferred` is taken (by a MongoDB or Kafka of your own, for example).
 */
export async function infraPort(variable: string, preferred: number): Promise<number> {
  const configured = process.env[variable];
  if (configured) {
    const port = Number(configured);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new Error(`${variable} must be a port number (1-65535); got "${configured}"`);
    }
    return port;
  }
  return (await isPortFree(preferred)) ? preferred : freePort();
}

/**
 * Kafka and FerretDB for `npm start` and `npm run infra` (or the servers in KAFKA_BROKERS / MONGO_URL): data kept in
 * dataDir(), ports from PONTE_KAFKA_PORT / PONTE_MONGO_PORT.
 */
export async function startDevInfra(progress: (message: string) => void): Promise<LocalInfra> {
  return startLocalInfra({
    dataDir: dataDir(),
    ports: {
      kafka: await infraPort('PONTE_KAFKA_PORT', 9092),
      mongo: await infraPort('PONTE_MONGO_PORT', 27017),
    },
    progress,
  });
}
