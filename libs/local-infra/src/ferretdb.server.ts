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

/** A text replacement in FerretDB's source, applied before the build; the build fails when `from` is gone. */
interface SourcePatch {
  file: string;
  from: string;
  to: string;
}

const QUERY_ID_CLAUSE = `	if params.Filter.Len() == 1 {
		v, _ := params.Filter.Get("_id")
		switch v.(type) {
		case string, types.ObjectID:
			whereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)
			args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
		}
	}`;

const EXPLAIN_ID_CLAUSE = `	if params.Filter.Len() == 1 {
		v, _ := params.Filter.Get("_id")
		switch v.(type) {
		case string, types.ObjectID:
			filterPushdown = true
			whereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)
			args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
		}
	}`;

/** Added to FerretDB's sqlite package by the second patch. */
const ID_PUSHDOWN_GO = `package sqlite

import (
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// idWhereClause (Ponte's build) pushes a top-level _id equality, or _id $in of at most 1000 strings / ObjectIDs,
// down to SQLite whatever else the filter holds. The handler still matches the whole filter against every
// document read, so the clause only narrows what is read.
func idWhereClause(filter *types.Document) (string, []any) {
	if filter == nil {
		return "", nil
	}
	v, err := filter.Get("_id")
	if err != nil {
		return "", nil
	}
	switch v := v.(type) {
	case string, types.ObjectID:
		return fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn), []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
	case *types.Document:
		if v.Len() != 1 {
			return "", nil
		}
		in, err := v.Get("$in")
		if err != nil {
			return "", nil
		}
		values, ok := in.(*types.Array)
		if !ok || values.Len() == 0 || values.Len() > 1000 {
			return "", nil
		}
		args := make([]any, 0, values.Len())
		for i := 0; i < values.Len(); i++ {
			value := must.NotFail(values.Get(i))
			switch value.(type) {
			case string, types.ObjectID:
				args = append(args, string(must.NotFail(sjson.MarshalSingleValue(value))))
			default:
				return "", nil
			}
		}
		placeholders := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
		return fmt.Sprintf(\` WHERE %s IN (%s)\`, metadata.IDColumn, placeholders), args
	}
	return "", nil
}
`;

/**
 * Two changes to FerretDB 1.24.2's SQLite backend, nothing else differs from the release:
 * 1. Its `_id` index is created on `_ferretdb_sjson->"_id"` but queried as `_ferretdb_sjson->'$._id'`. SQLite only
 *    uses an expression index for the same expression, so every `_id` lookup, update and delete read the whole
 *    table (`EXPLAIN QUERY PLAN`: `SCAN`): on 5,000 documents a lookup took 6 ms and an update 19 ms, against 0.4 ms
 *    each with the query written like the index.
 * 2. Only a filter that is exactly `{ _id: value }` reached SQLite; `{ _id: value, tenantId }` and
 *    `{ _id: { $in: [...] } }` read and decoded the whole collection. The patch pushes an `_id` equality or `$in` down
 *    whatever else the filter holds; FerretDB still applies the whole filter to the documents read, so answers are
 *    the same, only what is read shrinks (as FerretDB 2 does for all filters).
 */
const FERRETDB_PATCHES: readonly SourcePatch[] = [
  {
    file: join('internal', 'backends', 'sqlite', 'metadata', 'metadata.go'),
    from: `IDColumn = DefaultColumn + "->'$._id'"`,
    to: 'IDColumn = DefaultColumn + `->"_id"`',
  },
  {
    file: join('internal', 'backends', 'sqlite', 'collection.go'),
    from: QUERY_ID_CLAUSE,
    to: '	whereClause, args = idWhereClause(params.Filter)',
  },
  {
    file: join('internal', 'backends', 'sqlite', 'collection.go'),
    from: EXPLAIN_ID_CLAUSE,
    to: '	whereClause, args = idWhereClause(params.Filter)\n	filterPushdown = whereClause != ""',
  },
];

/** Names the cached binary: a change of the patches builds a new one. */
const FERRETDB_BUILD = `${FERRETDB_VERSION}-ponte.2`;

export function ferretDbBinary(): string {
  return join(cacheDir(), 'bin', `ferretdb-${FERRETDB_BUILD}`);
}

function cachedVersionMatches(binary: string): boolean {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 && result.stdout.includes(`version: ${FERRETDB_VERSION}`);
}

/**
 * Builds FerretDB from its module source once. Not `go install …@v1.24.2`: the Go proxy refuses the module's
 * version list (403) that such an install looks up, and the module zip lacks build/version/version.txt, which the
 * binary embeds and panics without. So: download the module, copy it, add version.txt, apply FERRETDB_PATCHES, and
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
    await applyPatches(source);
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

async function applyPatches(source: string): Promise<void> {
  for (const patch of FERRETDB_PATCHES) {
    const file = join(source, patch.file);
    const text = await readFile(file, 'utf8');
    if (!text.includes(patch.from)) {
      throw new LocalInfraError(
        `FerretDB ${FERRETDB_VERSION}: ${patch.file} no longer holds the code the Ponte build patches; ` +
          'check whether the patch is still needed (see FERRETDB_PATCHES)',
      );
    }
    await writeFile(file, text.replace(patch.from, patch.to));
  }
  await writeFile(join(source, 'internal', 'backends', 'sqlite', 'id_pushdown.go'), ID_PUSHDOWN_GO);
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
    // Go's collector runs at every 100% heap growth by default; FerretDB allocates per document decoded, so at 400
    // it spends far less CPU collecting (its heap stays in the tens of MB). `npm run bench:router`: ~+10% end to end.
    env: { ...process.env, GOGC: process.env['GOGC'] ?? '400' },
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
