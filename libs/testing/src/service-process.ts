import { resolve } from 'node:path';
import { freePort, SupervisedProcess } from '@ponte/local-infra';
import { waitFor } from './wait-for';

export interface ServiceProcessOptions {
  /** Short name for errors and log prefixes. */
  name: string;
  /** The TypeScript entry point, relative to the repo root (`apps/router/src/main.ts`). */
  entry: string;
  /** Added to the test process's environment; PORT is chosen here unless given. */
  env?: Record<string, string | undefined>;
}

const REPO_ROOT = resolve(__dirname, '../../..');

/**
 * A service started the way `npm start` starts it: its own node process running its main.ts from source, on a free
 * port of 127.0.0.1. For tests of what only a real process shows: exit codes, signals, config errors, restarts.
 */
export class ServiceProcess {
  private constructor(
    readonly url: string,
    private readonly process: SupervisedProcess,
  ) {}

  static async start(options: ServiceProcessOptions): Promise<ServiceProcess> {
    const port = options.env?.['PORT'] ?? String(await freePort());
    const child = SupervisedProcess.start({
      name: options.name,
      command: process.execPath,
      args: ['-r', '@swc-node/register', options.entry],
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...options.env, PORT: port, HOST: '127.0.0.1' },
    });
    return new ServiceProcess(`http://127.0.0.1:${port}`, child);
  }

  /** Status and JSON body of a GET, or undefined when nothing answers. */
  async get(path: string): Promise<{ status: number; body: unknown } | undefined> {
    try {
      const response = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(3_000) });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body };
    } catch {
      return undefined;
    }
  }

  /** Waits until GET /health/ready answers 200; fails with the process's output if it exits first. */
  async ready(timeoutMs = 60_000): Promise<this> {
    await this.process.waitUntil(
      async () => (await this.get('/health/ready'))?.status === 200,
      Date.now() + timeoutMs,
      'GET /health/ready answered 200',
    );
    return this;
  }

  /** Sends a signal and resolves with how the process ended (`exited with status 0`). */
  async signal(signal: NodeJS.Signals, timeoutMs = 30_000): Promise<string> {
    this.process.signal(signal);
    return waitFor(() => this.process.exit, {
      timeoutMs,
      description: `${this.process.name} to exit after ${signal}`,
    });
  }

  /** Kills it with SIGKILL, no shutdown hooks (a crash); resolves with how it ended. */
  async crash(timeoutMs = 10_000): Promise<string> {
    this.process.crash();
    return waitFor(() => this.process.exit, { timeoutMs, description: `${this.process.name} to die` });
  }

  /** Resolves with how the process ended, when it ends by itself. */
  whenExited(): Promise<string> {
    return this.process.whenExited();
  }

  output(): string {
    return this.process.recentLines().join('\n');
  }

  /** Stops it if it still runs (SIGTERM, then SIGKILL after `graceMs`). */
  async stop(graceMs = 5_000): Promise<void> {
    await this.process.stop(graceMs);
  }
}
