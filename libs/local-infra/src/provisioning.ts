import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chmod, readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import { LocalInfraError, tail } from './local-infra.error';

/** Where downloaded jars and built binaries are kept between runs. */
export function cacheDir(): string {
  return process.env['PONTE_CACHE_DIR'] || join(homedir(), '.cache', 'ponte');
}

export function findOnPath(tool: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Fails with a message naming the missing tool and what it is needed for. */
export function requireTool(tool: string, neededFor: string): string {
  const found = findOnPath(tool);
  if (!found) {
    throw new LocalInfraError(
      `\`${tool}\` was not found on PATH; it is needed to ${neededFor}. Install it, or set KAFKA_BROKERS / ` +
        `MONGO_URL to use servers of your own.`,
    );
  }
  return found;
}

// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b\[[0-9;]*m/g;

function stripAnsi(text: string): string {
  return text.replace(ANSI_ESCAPE, '');
}

export interface RunToolOptions {
  cwd: string;
  /** What the command does, for the error message (`download the Kafka jars from Maven Central`). */
  purpose: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** Runs a provisioning command to completion; on failure the error names the tool, the purpose and the output tail. */
export function runTool(tool: string, args: readonly string[], options: RunToolOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      for (const line of chunk.toString().split('\n')) {
        if (stripAnsi(line).trim()) options.log?.(`[${basename(tool)}] ${stripAnsi(line)}`);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const command = [tool, ...args].join(' ');
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new LocalInfraError(`Could not ${options.purpose}: \`${command}\` could not run (${error.message}).`),
      );
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(stdout);
      const how = signal
        ? `was killed by ${signal} (timeout ${timeoutMs} ms?)`
        : `exited with status ${code}`;
      const output = stripAnsi(`${stdout}\n${stderr}`)
        .split('\n')
        .filter((line) => line.trim() !== '');
      reject(
        new LocalInfraError(
          `Could not ${options.purpose}: \`${command}\` (in ${options.cwd}) ${how}. Last output:\n${tail(output)}`,
        ),
      );
    });
  });
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Go's module cache is read-only; a copy must be made writable before a file is added to it. */
export async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, (await stat(dir)).mode | 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(path);
    else if (entry.isFile()) await chmod(path, (await stat(path)).mode | 0o200);
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
