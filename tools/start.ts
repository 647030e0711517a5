/*
 * `npm start`: Kafka and FerretDB (or the servers in KAFKA_BROKERS / MONGO_URL), then every service from source,
 * each waited for until GET /health/ready answers 200. Service logs go to .ponte/logs/<service>.log; warnings and
 * errors are echoed here. Ctrl-C (or SIGTERM) stops the services gracefully, then the servers. If a service dies,
 * everything is stopped and the exit status is 1, so a broken start is never mistaken for a running system.
 */
import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { isPortFree, SupervisedProcess, type LocalInfra } from '@ponte/local-infra';
import { startDevInfra } from './dev/local-settings';
import { SERVICES } from './dev/services';

const READY_TIMEOUT_MS = Number(process.env['PONTE_READY_TIMEOUT_MS'] || 180_000);
const STOP_GRACE_MS = 20_000;
const PINO_WARN = 40;
/**
 * Node flags per service. The router allocates many short-lived objects per batch (decoded envelopes, documents,
 * events): a larger young generation halves its garbage collection time (`npm run bench:router`, README "Measured").
 * docker-compose.yml sets the same through NODE_OPTIONS.
 */
const NODE_FLAGS: Record<string, string[]> = { router: ['--max-semi-space-size=32'] };

interface Running {
  name: string;
  url: string;
  process: SupervisedProcess;
  log: WriteStream;
}

function say(message: string): void {
  process.stdout.write(`ponte: ${message}\n`);
}

/** Echoes a service's non-JSON output (stack traces) and its JSON log lines from warn up. */
function echo(service: string, line: string): void {
  const text = line.replace(/^\[[^\]]+\] /, '');
  try {
    const entry = JSON.parse(text) as { level?: number; msg?: string; err?: { message?: string } };
    if ((entry.level ?? 0) < PINO_WARN) return;
    const level = (entry.level ?? 0) >= 50 ? 'ERROR' : 'WARN';
    process.stdout.write(`[${service}] ${level} ${entry.msg ?? ''} ${entry.err?.message ?? ''}\n`);
  } catch {
    process.stdout.write(`[${service}] ${text}\n`);
  }
}

/** PONTE_PORT_BASE moves every service port (gateway = base, router = base + 1, …); default 3000. */
function servicePorts(): { name: string; port: number }[] {
  const base = process.env['PONTE_PORT_BASE'];
  if (!base) return SERVICES.map(({ name, port }) => ({ name, port }));
  return SERVICES.map(({ name }, index) => ({ name, port: Number(base) + index }));
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

/** A secret kept in .ponte/<name> (made on first use, readable by its owner only), so it survives restarts. */
function devSecret(name: string, make: () => string): string {
  const file = resolve('.ponte', name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(resolve('.ponte'), { recursive: true });
  const value = make();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

/**
 * Development defaults of the gateway, for settings neither the environment nor `.env` gives: a JWT secret and a first
 * admin, both generated once and kept under .ponte/ (never a well-known value). Production sets its own.
 */
function gatewayDevEnv(): Record<string, string> {
  const given = { ...(existsSync('.env') ? parseEnv(readFileSync('.env', 'utf8')) : {}), ...process.env };
  const env: Record<string, string> = {};
  if (!given['GATEWAY_JWT_SECRET']) {
    env['GATEWAY_JWT_SECRET'] = devSecret('gateway-jwt-secret', () => randomBytes(48).toString('base64url'));
  }
  if (!given['GATEWAY_ADMIN_EMAIL'] && !given['GATEWAY_ADMIN_PASSWORD']) {
    env['GATEWAY_ADMIN_EMAIL'] = 'admin@ponte.localhost';
    env['GATEWAY_ADMIN_PASSWORD'] = devSecret('gateway-admin-password', () =>
      randomBytes(18).toString('base64url'),
    );
    say(`gateway admin: admin@ponte.localhost, password in .ponte/gateway-admin-password`);
  }
  return env;
}

async function main(): Promise<void> {
  const services = servicePorts();
  const busy = [];
  for (const service of services) if (!(await isPortFree(service.port))) busy.push(service);
  if (busy.length > 0) {
    throw new Error(
      `port(s) already in use: ${busy.map((s) => `${s.port} (${s.name})`).join(', ')}. Is another ` +
        '`npm start` running? Stop it, or move the services with PONTE_PORT_BASE=4000.',
    );
  }

  const infra: LocalInfra = await startDevInfra((message) => say(message));
  say(`Kafka ${infra.kafkaBrokers}, MongoDB ${infra.mongoUrl}`);

  const gatewayEnv = gatewayDevEnv();
  const logDir = resolve('.ponte/logs');
  mkdirSync(logDir, { recursive: true });
  const running: Running[] = services.map(({ name, port }) => {
    const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
    const child = SupervisedProcess.start({
      name,
      command: process.execPath,
      args: [...(NODE_FLAGS[name] ?? []), '-r', '@swc-node/register', `apps/${name}/src/main.ts`],
      env: {
        ...process.env,
        KAFKA_BROKERS: infra.kafkaBrokers,
        MONGO_URL: infra.mongoUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        ...(name === 'gateway' ? gatewayEnv : {}),
      },
      log: (line) => {
        log.write(`${line.replace(/^\[[^\]]+\] /, '')}\n`);
        echo(name, line);
      },
    });
    return { name, url: `http://127.0.0.1:${port}`, process: child, log };
  });

  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      say('stopping services…');
      await Promise.all(running.map((service) => service.process.stop(STOP_GRACE_MS)));
      for (const service of running) service.log.end();
      say('stopping Kafka and FerretDB…');
      await infra.stop();
      say('stopped.');
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      void stopAll().then(() => process.exit(0));
    });
  }

  say(`starting ${running.map((service) => service.name).join(', ')} (logs in ${logDir})…`);
  const started = Date.now();
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    await Promise.all(
      running.map((service) =>
        service.process.waitUntil(() => isReady(service.url), deadline, 'GET /health/ready answered 200'),
      ),
    );
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    await stopAll();
    process.exit(1);
  }

  const width = Math.max(...running.map((service) => service.name.length));
  say(`all services ready in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
  for (const service of running) process.stdout.write(`  ${service.name.padEnd(width)}  ${service.url}\n`);
  say('Ctrl-C stops everything.');

  const [service, how] = await Promise.race(
    running.map(async (candidate) => [candidate, await candidate.process.whenExited()] as const),
  );
  if (stopping) return;
  process.stderr.write(
    `ponte: ${service.name} ${how}; last output:\n${service.process.recentLines().slice(-20).join('\n')}\n`,
  );
  await stopAll();
  process.exit(1);
}

main().catch((error: unknown) => {
  process.stderr.write(`ponte: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
