import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { LocalInfraError, tail } from './local-infra.error';

export interface SupervisedProcessOptions {
  /** Short name used to prefix log lines and in errors (`kafka`, `ferretdb`). */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Receives every output line of the server, prefixed with its name. */
  log?: (line: string) => void;
}

/*
 * The server runs under a tiny sh watchdog that holds the read end of a pipe from this process. When this
 * process dies in any way (even SIGKILL, when no 'exit' handler runs), the pipe closes and the watchdog kills
 * the server, so a crashed test run or `npm start` never leaves a JVM holding the ports. SIGTERM and SIGINT
 * sent to the wrapper are forwarded to the server, and the wrapper exits with the server's status.
 */
const WATCHDOG_SCRIPT = `
exec 3<&0
server=
# Before the fork a TERM simply ends the wrapper. Until the forked child execs the server it is a copy of this shell
# with this trap: a TERM sent to it then is caught and lost at the exec. So the trap waits (up to 2 s) while the
# child's command line is still this shell's (Linux /proc), then forwards the TERM once. Never twice: a second TERM
# cuts the graceful shutdown of many servers short.
forward() {
  [ -n "$server" ] || exit 143
  tries=0
  while [ "$tries" -lt 100 ] && [ -r "/proc/$server/cmdline" ] \\
    && [ "$(tr '\\0' ' ' < "/proc/$server/cmdline")" = "$(tr '\\0' ' ' < "/proc/$$/cmdline")" ]; do
    sleep 0.02
    tries=$((tries + 1))
  done
  kill -TERM "$server" 2>/dev/null
}
trap forward TERM INT HUP
"$@" </dev/null &
server=$!
{ cat <&3 >/dev/null; kill -KILL $server 2>/dev/null; } &
watchdog=$!
exec 3<&-
while :; do
  wait $server
  status=$?
  kill -0 $server 2>/dev/null || break
done
kill $watchdog 2>/dev/null
exit $status
`;

const RECENT_LINES = 200;
const live = new Set<SupervisedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort for a parent that exits without calling stop(); the watchdog covers the harder cases.
  process.once('exit', () => {
    for (const supervised of live) supervised.killNow();
  });
}

export class SupervisedProcess {
  readonly name: string;
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private readonly exited: Promise<void>;
  private exitDescription: string | undefined;

  private constructor(private readonly options: SupervisedProcessOptions) {
    this.name = options.name;
    installExitHook();
    this.child = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, options.name, options.command, ...options.args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: false,
    });
    live.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.exitDescription = `could not be spawned: ${error.message}`;
        live.delete(this);
        resolve();
      });
      this.child.once('close', (code, signal) => {
        this.exitDescription ??= signal ? `was killed by ${signal}` : `exited with status ${code ?? '?'}`;
        live.delete(this);
        this.child.stdin?.destroy();
        resolve();
      });
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream)
        createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.record(line));
    }
  }

  static start(options: SupervisedProcessOptions): SupervisedProcess {
    return new SupervisedProcess(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Undefined while running; afterwards how it ended. */
  get exit(): string | undefined {
    return this.exitDescription;
  }

  /** Resolves, with how it ended, once the process is gone. */
  async whenExited(): Promise<string> {
    await this.exited;
    return this.exitDescription ?? 'exited';
  }

  recentLines(): readonly string[] {
    return this.lines;
  }

  /**
   * Resolves once `probe` is true; rejects with the last output lines when the process exits first or the
   * deadline passes.
   */
  async waitUntil(
    probe: () => boolean | Promise<boolean>,
    deadline: number,
    description: string,
  ): Promise<void> {
    for (;;) {
      if (this.exitDescription !== undefined)
        throw this.failure(`${this.exitDescription} before ${description}`);
      if (await probe()) return;
      if (Date.now() > deadline) throw this.failure(`did not get ready in time: ${description}`);
      await delay(100);
    }
  }

  hasLogged(pattern: RegExp): boolean {
    return this.lines.some((line) => pattern.test(line));
  }

  failure(what: string): LocalInfraError {
    return new LocalInfraError(
      `${this.name} (${[this.options.command, ...this.options.args].join(' ')}) ${what}. Last output:\n${tail(this.lines)}`,
    );
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exitDescription === undefined) {
      this.child.kill('SIGTERM');
      if ((await this.exitedWithin(graceMs)) === 'timeout') {
        // Closing the watchdog's pipe makes it SIGKILL the server itself; then the wrapper exits.
        this.child.stdin?.destroy();
        if ((await this.exitedWithin(2_000)) === 'timeout') this.child.kill('SIGKILL');
      }
    }
    await this.exited;
  }

  /** Whether the process exits within `ms`; the timer is cleared when it does, so it holds no event loop open. */
  private async exitedWithin(ms: number): Promise<'exited' | 'timeout'> {
    const cancel = new AbortController();
    const timer = delay(ms, 'timeout' as const, { signal: cancel.signal }).catch(() => 'exited' as const);
    try {
      return await Promise.race([this.exited.then(() => 'exited' as const), timer]);
    } finally {
      cancel.abort();
    }
  }

  /** Sends a signal to the server (the watchdog wrapper forwards SIGTERM and SIGINT). */
  signal(signal: NodeJS.Signals): void {
    if (this.exitDescription === undefined) this.child.kill(signal);
  }

  /** SIGKILL for the server, as a crash would: closing the watchdog's pipe makes it kill the server at once. */
  crash(): void {
    this.child.stdin?.destroy();
  }

  /** Synchronous best effort for process 'exit' handlers. */
  killNow(): void {
    if (this.exitDescription !== undefined) return;
    this.child.kill('SIGTERM');
    this.child.stdin?.destroy();
  }

  private record(line: string): void {
    this.lines.push(line);
    if (this.lines.length > RECENT_LINES) this.lines.shift();
    this.options.log?.(`[${this.name}] ${line}`);
  }
}

export async function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'close')) as [number | null];
  return code;
}
