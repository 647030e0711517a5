import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCALHOST } from './ports';
import { SupervisedProcess } from './process-supervisor';
import { cacheDir, exists, requireTool, runTool, seconds } from './provisioning';

export const KAFKA_VERSION = '3.9.2';
const SCALA_VERSION = '2.13';

const POM = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.ponte</groupId>
  <artifactId>local-kafka</artifactId>
  <version>${KAFKA_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_${SCALA_VERSION}</artifactId>
      <version>${KAFKA_VERSION}</version>
    </dependency>
    <!-- kafka_2.13 declares no logging backend; Kafka 3.x logs through log4j 1 (reload4j) -->
    <dependency>
      <groupId>ch.qos.reload4j</groupId>
      <artifactId>reload4j</artifactId>
      <version>1.2.25</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-reload4j</artifactId>
      <version>1.7.36</version>
    </dependency>
  </dependencies>
</project>
`;

// Quiet except for warnings, plus the one INFO line that says the broker is up.
const LOG4J = `log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.org.apache.kafka.clients.NetworkClient=ERROR
`;

export const KAFKA_READY_LINE = /Kafka Server started/;

/** Downloads the Kafka jars (and their runtime dependencies) from Maven Central once; returns the jar directory. */
export async function provisionKafka(
  log?: (line: string) => void,
  progress?: (message: string) => void,
): Promise<string> {
  const home = join(cacheDir(), `kafka-${KAFKA_VERSION}`);
  const libs = join(home, 'libs');
  const kafkaJar = join(libs, `kafka_${SCALA_VERSION}-${KAFKA_VERSION}.jar`);
  if (await exists(kafkaJar)) return libs;
  requireTool('java', 'run Kafka');
  requireTool('mvn', `download Kafka ${KAFKA_VERSION} from Maven Central`);
  const started = Date.now();
  progress?.(`Downloading Kafka ${KAFKA_VERSION} jars with Maven into ${libs} (once)…`);
  await mkdir(home, { recursive: true });
  // Built aside and renamed into place, so a concurrent or interrupted run never sees half a directory.
  const work = await mkdtemp(join(home, '.provision-'));
  try {
    await writeFile(join(work, 'pom.xml'), POM);
    await runTool(
      'mvn',
      [
        '-q',
        '-B',
        '-Dstyle.color=never',
        'dependency:copy-dependencies',
        `-DoutputDirectory=${join(work, 'libs')}`,
        '-DincludeScope=runtime',
      ],
      { cwd: work, purpose: `download Kafka ${KAFKA_VERSION} jars from Maven Central`, log },
    );
    // Another run may have finished first (and may be using the jars): keep its copy.
    if (!(await exists(kafkaJar))) {
      await rm(libs, { recursive: true, force: true });
      await rename(join(work, 'libs'), libs);
    }
    progress?.(`Kafka ${KAFKA_VERSION} jars ready in ${seconds(Date.now() - started)}.`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return libs;
}

export interface KafkaServerOptions {
  /** Directory for this server's config and data; formatted on first use, reused afterwards. */
  dir: string;
  port: number;
  controllerPort: number;
  deadline: number;
  log?: (line: string) => void;
  progress?: (message: string) => void;
}

export interface KafkaServer {
  brokers: string;
  process: SupervisedProcess;
}

export function kafkaServerProperties(options: {
  port: number;
  controllerPort: number;
  logDir: string;
}): string {
  const { port, controllerPort, logDir } = options;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${LOCALHOST}:${controllerPort}`,
    `listeners=PLAINTEXT://${LOCALHOST}:${port},CONTROLLER://${LOCALHOST}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${LOCALHOST}:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=1',
    // The services create their topics; a typo'd or unprovisioned topic must fail here as it would in production.
    'auto.create.topics.enable=false',
    // Single node, two cores: small internal topics make the first consumer group and transaction start fast.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=4',
    '',
  ].join('\n');
}

function javaArgs(libs: string, dir: string, main: string, ...rest: string[]): string[] {
  return [
    '-Xms128m',
    '-Xmx512m',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
    '-cp',
    `${libs}/*`,
    main,
    ...rest,
  ];
}

/**
 * True when a broker answers an ApiVersions (v0) request without error: the listener is up and serving the Kafka
 * protocol, checked without a Kafka client library.
 */
export function kafkaAnswers(port: number, host = LOCALHOST, timeoutMs = 2_000): Promise<boolean> {
  const clientId = Buffer.from('ponte-local-infra');
  const request = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
  let offset = request.writeInt32BE(request.length - 4, 0);
  offset = request.writeInt16BE(18, offset); // api key: ApiVersions
  offset = request.writeInt16BE(0, offset); // api version
  offset = request.writeInt32BE(0x504f4e54, offset); // correlation id
  offset = request.writeInt16BE(clientId.length, offset);
  clientId.copy(request, offset);
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const socket = createConnection({ port, host });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // size, correlation id, error code
      if (received.length >= 10)
        done(received.readInt32BE(4) === 0x504f4e54 && received.readInt16BE(8) === 0);
    });
  });
}

/** What `StorageTool random-uuid` prints (16 random bytes, URL-safe base64, never a leading '-'), minus a JVM start. */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export async function startKafka(options: KafkaServerOptions): Promise<KafkaServer> {
  const java = requireTool('java', 'run Kafka');
  const libs = await provisionKafka(options.log, options.progress);
  const logDir = join(options.dir, 'data');
  const properties = join(options.dir, 'server.properties');
  await mkdir(options.dir, { recursive: true });
  await writeFile(properties, kafkaServerProperties({ ...options, logDir }));
  await writeFile(join(options.dir, 'log4j.properties'), LOG4J);
  if (!(await exists(join(logDir, 'meta.properties')))) {
    const clusterId = randomClusterId();
    await runTool(
      java,
      javaArgs(libs, options.dir, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties),
      { cwd: options.dir, purpose: 'format the Kafka storage directory', log: options.log },
    );
  }
  const server = SupervisedProcess.start({
    name: 'kafka',
    command: java,
    args: javaArgs(libs, options.dir, 'kafka.Kafka', properties),
    cwd: options.dir,
    log: options.log,
  });
  try {
    await server.waitUntil(
      async () => server.hasLogged(KAFKA_READY_LINE) && (await kafkaAnswers(options.port)),
      options.deadline,
      `"Kafka Server started" and ${LOCALHOST}:${options.port} answering ApiVersions`,
    );
  } catch (error) {
    await server.stop(2_000);
    throw error;
  }
  return { brokers: `${LOCALHOST}:${options.port}`, process: server };
}
