import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFerretDb, type FerretDbServer } from './ferretdb.server';
import { startKafka, type KafkaServer } from './kafka.server';
import { LocalInfraError } from './local-infra.error';
import { LOCALHOST, freePort, isPortFree } from './ports';

export interface LocalInfraOptions {
  /** Start (or take from KAFKA_BROKERS) a Kafka broker. Default true. */
  kafka?: boolean;
  /** Start (or take from MONGO_URL) a MongoDB-compatible server. Default true. */
  mongo?: boolean;
  /** Persistent data directory (`npm start`); without it a temporary one is used and removed by stop(). */
  dataDir?: string;
  /** Fixed ports; without them free ports are picked. A given port that is busy is an error. */
  ports?: { kafka?: number; mongo?: number };
  /** Receives every output line of the servers and of the provisioning tools (mvn, go). */
  log?: (line: string) => void;
  /** Receives the few provisioning notices worth showing a person ("building FerretDB, once…"). */
  progress?: (message: string) => void;
  /** Use KAFKA_BROKERS / MONGO_URL when set instead of starting servers. Default true. */
  useEnv?: boolean;
  /** Upper bound for each server to get ready, provisioning excluded. Default 90 s. */
  readyTimeoutMs?: number;
  /** Upper bound of stop() for each server before SIGKILL. Default 15 s (persistent) or 5 s (temporary). */
  stopGraceMs?: number;
}

export interface LocalInfra {
  /** `host:port`, comma-separated; undefined when Kafka was not requested. */
  kafkaBrokers?: string;
  /** `mongodb://…/ponte`; undefined when mongo was not requested. */
  mongoUrl?: string;
  /** Where the started servers keep their data (temporary unless `dataDir` was given). */
  dataDir?: string;
  /** Stops the servers this call started (never the ones from the environment) and removes temporary data. */
  stop(): Promise<void>;
}

async function portFor(name: string, requested: number | undefined): Promise<number> {
  if (requested === undefined) return freePort();
  if (!(await isPortFree(requested))) {
    throw new LocalInfraError(
      `Cannot start ${name} on ${LOCALHOST}:${requested}: the port is already in use.`,
    );
  }
  return requested;
}

export async function startLocalInfra(options: LocalInfraOptions = {}): Promise<LocalInfra> {
  const useEnv = options.useEnv ?? true;
  const envBrokers = useEnv ? process.env['KAFKA_BROKERS'] || undefined : undefined;
  const envMongoUrl = useEnv ? process.env['MONGO_URL'] || undefined : undefined;
  const wantKafka = (options.kafka ?? true) && !envBrokers;
  const wantMongo = (options.mongo ?? true) && !envMongoUrl;
  const temporary = options.dataDir === undefined;
  const root =
    wantKafka || wantMongo
      ? temporary
        ? await mkdtemp(join(tmpdir(), 'ponte-infra-'))
        : resolve(options.dataDir as string)
      : undefined;
  const stopGraceMs = options.stopGraceMs ?? (temporary ? 5_000 : 15_000);
  const deadline = (): number => Date.now() + (options.readyTimeoutMs ?? 90_000);

  const removeTemporary = async (): Promise<void> => {
    if (temporary && root) await rm(root, { recursive: true, force: true });
  };

  let kafka: Promise<KafkaServer> | undefined;
  let mongo: Promise<FerretDbServer> | undefined;
  if (root && wantKafka) {
    const dir = join(root, 'kafka');
    kafka = Promise.all([portFor('Kafka', options.ports?.kafka), freePort()]).then(([port, controllerPort]) =>
      startKafka({
        dir,
        port,
        controllerPort,
        log: options.log,
        progress: options.progress,
        deadline: deadline(),
      }),
    );
  }
  if (root && wantMongo) {
    const dir = join(root, 'ferretdb');
    mongo = portFor('FerretDB', options.ports?.mongo).then((port) =>
      startFerretDb({ dir, port, log: options.log, progress: options.progress, deadline: deadline() }),
    );
  }
  const [kafkaResult, mongoResult] = await Promise.allSettled([kafka, mongo]);
  const started = [kafkaResult, mongoResult].flatMap((result) =>
    result.status === 'fulfilled' && result.value ? [result.value.process] : [],
  );
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((server) => server.stop(stopGraceMs)));
    await removeTemporary();
  };
  const failures = [kafkaResult, mongoResult].flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  );
  if (failures.length > 0) {
    await stop();
    if (failures.length === 1) throw failures[0];
    throw new LocalInfraError(failures.map((failure) => String(failure)).join('\n\n'));
  }

  const enabled = (flag: boolean | undefined): boolean => flag ?? true;
  return {
    kafkaBrokers: enabled(options.kafka)
      ? kafkaResult.status === 'fulfilled' && kafkaResult.value
        ? kafkaResult.value.brokers
        : envBrokers
      : undefined,
    mongoUrl: enabled(options.mongo)
      ? mongoResult.status === 'fulfilled' && mongoResult.value
        ? mongoResult.value.mongoUrl
        : envMongoUrl
      : undefined,
    dataDir: root,
    stop,
  };
}
