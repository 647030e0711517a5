import { cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { MongoClient } from 'mongodb';
import { LocalInfraError } from './local-infra.error';
import { LOCALHOST, canConnect } from './ports';
import { SupervisedProcess } from './process-supervisor';
import { cacheDir, exists, makeWritable, requireTool, runTool, seconds } from './provisioning';

export const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';

export function ferretDbBinary(): string {
  return join(cacheDir(), 'bin', 'ferretdb');
}

function cachedVersionMatches(binary: string): boolean {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 && result.stdout.includes(`version: ${FERRETDB_VERSION}`);
}

/**
 * Builds FerretDB from its module source once. Not `go install …@v1.24.2`: the Go proxy refuses the module's
 * version list (403) that such an install looks up, and the module zip lacks build/version/version.txt, which the
 * binary embeds and panics without. So: download the module, copy it, add version.txt, install from the copy.
 */
export async function provisionFerretDb(
  log?: (line: string) => void,
  progress?: (message: string) => void,
): Promise<string> {
  const binary = ferretDbBinary();
  if ((await exists(binary)) && cachedVersionMatches(binary)) return binary;
  requireTool('go', `build FerretDB ${FERRETDB_VERSION}`);
  const started = Date.now();
  progress?.(`Building FerretDB ${FERRETDB_VERSION} with Go into ${binary} (once; about a minute)…`);
  const goEnv = { ...process.env, GOTOOLCHAIN: 'local', GOWORK: 'off', GOFLAGS: '' };
  await mkdir(join(cacheDir(), 'bin'), { recursive: true });
  const work = await mkdtemp(join(cacheDir(), '.ferretdb-build-'));
  try {
    const downloaded = await runTool(
      'go',
      ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`],
      {
        cwd: work,
        env: goEnv,
        purpose: `download the ${FERRETDB_MODULE}@${FERRETDB_VERSION} module through the Go module proxy`,
        log,
      },
    );
    const moduleDir = (JSON.parse(downloaded) as { Dir?: string; Error?: string }).Dir;
    if (!moduleDir) throw new LocalInfraError(`\`go mod download\` gave no module directory: ${downloaded}`);
    const source = join(work, 'src');
    await cp(moduleDir, source, { recursive: true });
    await makeWritable(source);
    await writeFile(join(source, 'build', 'version', 'version.txt'), FERRETDB_VERSION);
    await runTool('go', ['install', '-trimpath', './cmd/ferretdb'], {
      cwd: source,
      env: { ...goEnv, GOBIN: join(work, 'bin') },
      purpose: `build FerretDB ${FERRETDB_VERSION} with go install`,
      log,
    });
    await rename(join(work, 'bin', 'ferretdb'), binary);
    progress?.(`FerretDB ${FERRETDB_VERSION} built in ${seconds(Date.now() - started)}.`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return binary;
}

export interface FerretDbServerOptions {
  /** Directory for the SQLite databases and FerretDB's state; reused when it exists. */
  dir: string;
  port: number;
  deadline: number;
  log?: (line: string) => void;
  progress?: (message: string) => void;
}

export interface FerretDbServer {
  mongoUrl: string;
  process: SupervisedProcess;
}

export function ferretDbMongoUrl(port: number, database = 'ponte'): string {
  return `mongodb://${LOCALHOST}:${port}/${database}`;
}

/** True when the server answers a real `ping` (a listening socket alone can still refuse commands). */
export async function mongoPing(url: string, timeoutMs = 2_000): Promise<boolean> {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    directConnection: true,
  });
  try {
    const reply = await client.db('admin').command({ ping: 1 });
    return reply['ok'] === 1;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

export async function startFerretDb(options: FerretDbServerOptions): Promise<FerretDbServer> {
  const binary = await provisionFerretDb(options.log, options.progress);
  await mkdir(options.dir, { recursive: true });
  const server = SupervisedProcess.start({
    name: 'ferretdb',
    command: binary,
    args: [
      `--listen-addr=${LOCALHOST}:${options.port}`,
      '--handler=sqlite',
      `--sqlite-url=file:${options.dir}/`,
      '--telemetry=disable',
      `--state-dir=${options.dir}`,
      '--debug-addr=-',
      '--log-level=error',
    ],
    cwd: options.dir,
    log: options.log,
  });
  const mongoUrl = ferretDbMongoUrl(options.port);
  try {
    await server.waitUntil(
      async () => (await canConnect(options.port)) && (await mongoPing(mongoUrl)),
      options.deadline,
      `${LOCALHOST}:${options.port} answering ping`,
    );
  } catch (error) {
    await server.stop(2_000);
    throw error;
  }
  return { mongoUrl, process: server };
}
