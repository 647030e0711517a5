import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, isPortFree } from '@ponte/local-infra';
import { waitFor } from '@ponte/testing';
import { SERVICES } from './dev/services';

/**
 * Consecutive free ports for the services, for PONTE_PORT_BASE. Below Linux's ephemeral range (32768 and up by
 * default), from which the kernel hands out the ports of outgoing connections and of the other tests' servers
 * (`listen(0)`): a run drawn inside it was free when checked and taken before a service bound it.
 */
async function freePortRun(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * (32_768 - 20_000 - SERVICES.length));
    const ports = SERVICES.map((_, index) => base + index);
    if ((await Promise.all(ports.map((port) => isPortFree(port)))).every(Boolean)) return base;
  }
}

describe('npm start (tools/start.ts)', () => {
  let dataDir: string;
  let child: ChildProcessWithoutNullStreams | undefined;
  let output = '';

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ponte-start-'));
  });

  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('should start Kafka, FerretDB and every service ready, and stop them all on Ctrl-C', async () => {
    const base = await freePortRun();
    const [kafkaPort, mongoPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PONTE_DATA_DIR: dataDir,
      PONTE_PORT_BASE: String(base),
      PONTE_KAFKA_PORT: String(kafkaPort),
      PONTE_MONGO_PORT: String(mongoPort),
    };
    // Its own servers, as on a fresh machine, not the ones of this test run.
    delete env['KAFKA_BROKERS'];
    delete env['MONGO_URL'];
    child = spawn(process.execPath, ['-r', '@swc-node/register', 'tools/start.ts'], {
      cwd: resolve(__dirname, '..'),
      env,
    });
    const exited = new Promise<number | null>((done) => child?.once('exit', (code) => done(code)));
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

    await waitFor(() => output.includes('all services ready') || child?.exitCode !== null, {
      timeoutMs: 150_000,
      description: 'npm start to report every service ready',
    });
    if (!output.includes('all services ready')) throw new Error(`npm start did not get ready:\n${output}`);
    const readiness = await Promise.all(
      SERVICES.map(async (_, index) => (await fetch(`http://127.0.0.1:${base + index}/health/ready`)).status),
    );
    child.kill('SIGINT');
    const code = await exited;

    expect(readiness).toEqual(SERVICES.map(() => 200));
    expect(output).toContain(`Kafka 127.0.0.1:${kafkaPort}, MongoDB mongodb://127.0.0.1:${mongoPort}/ponte`);
    expect(code).toBe(0);
    const stillBound = [];
    for (const port of [kafkaPort, mongoPort, ...SERVICES.map((_, index) => base + index)]) {
      if (!(await isPortFree(port))) stillBound.push(port);
    }
    expect(stillBound).toEqual([]);
  }, 240_000);
});
