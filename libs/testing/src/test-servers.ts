/** Set by the jest global setup (or by the person running the tests, for servers of their own). */
export function testKafkaBrokers(): string {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers) {
    throw new Error(
      'KAFKA_BROKERS is not set: run the tests through jest with the repo preset (its global setup starts Kafka), ' +
        'or set KAFKA_BROKERS=host:port.',
    );
  }
  return brokers;
}

const MONGO_URL_PARTS = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/([^?]*))?(\?.*)?$/;

/** MONGO_URL, with its database replaced by `dbName` when given (query options such as replicaSet are kept). */
export function testMongoUrl(dbName?: string): string {
  const url = process.env['MONGO_URL'];
  if (!url) {
    throw new Error(
      'MONGO_URL is not set: run the tests through jest with the repo preset (its global setup starts FerretDB), ' +
        'or set MONGO_URL=mongodb://host:port/db.',
    );
  }
  if (dbName === undefined) return url;
  const parts = MONGO_URL_PARTS.exec(url);
  if (!parts) throw new Error(`MONGO_URL is not a mongodb:// URL: ${url}`);
  return `${parts[1]}/${dbName}${parts[3] ?? ''}`;
}
