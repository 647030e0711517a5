import { cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { MongoClient } from 'mongodb';
import { LocalInfraError } from './local-infra.error';
import { LOCALHOST, canConnect } from './ports';
import { SupervisedProcess } from './process-supervisor';
import { cacheDir, exists, makeWritable, requireTool, runTool, seconds } from './provisioning';

export const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';

/**
 * FerretDB 1.24.2's SQLite backend creates each collection's unique `_id` index on `_ferretdb_sjson->"_id"` but
 * queries `_ferretdb_sjson->'$._id'`. SQLite only uses an expression index for the same expression, so every `_id`
 * lookup, update and delete reads the whole table (`EXPLAIN QUERY PLAN` says `SCAN`), and costs grow with the
 * collection: on 5,000 documents a lookup took 6 ms and an update 19 ms, against 0.4 ms and 0.4 ms with the query
 * written like the index. The build applies that one-line change; nothing else differs from the release.
 */
const ID_INDEX_PATCH = {
  file: join('internal', 'backends', 'sqlite', 'metadata', 'metadata.go'),
  from: `IDColumn = DefaultColumn + "->'$._id'"`,
  to: 'IDColumn = DefaultColumn + `->"_id"`',
};

export function ferretDbBinary(): string {
  return join(cacheDir(), 'bin', `ferretdb-${FERRETDB_VERSION}-id-index`);
}

function cachedVersionMatches(binary: string): boolean {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 && result.stdout.includes(`version: ${FERRETDB_VERSION}`);
}

/**
 * Builds FerretDB from its module source once. Not `go install …@v1.24.2`: the Go proxy refuses the module's
 * version list (403) that such an install looks up, and the module zip lacks build/version/version.txt, which the
 * binary embeds and panics without. So: download the module, copy it, add version.txt, apply ID_INDEX_PATCH, and
 * install from the copy.
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
    await applyIdIndexPatch(source);
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

async function applyIdIndexPatch(source: string): Promise<void> {
  const file = join(source, ID_INDEX_PATCH.file);
  const text = await readFile(file, 'utf8');
  if (!text.includes(ID_INDEX_PATCH.from)) {
    throw new LocalInfraError(
      `FerretDB ${FERRETDB_VERSION}: ${ID_INDEX_PATCH.file} no longer holds \`${ID_INDEX_PATCH.from}\`; ` +
        'check whether the _id index patch is still needed',
    );
  }
  await writeFile(file, text.replace(ID_INDEX_PATCH.from, ID_INDEX_PATCH.to));
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
      // WAL (FerretDB's default) with synchronous=NORMAL: a commit survives a crash of any process, only a power
      // loss may take the last ones; fine for a local and CI store.
      `--sqlite-url=file:${options.dir}/?_pragma=synchronous(normal)`,
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
