import { TEST_INFRA_KEY, type TestInfraHandle } from './test-infra.handle';

/** Stops what the global setup started; the teardowns of the other projects find nothing left to do. */
export default async function globalTeardown(): Promise<void> {
  const registry = globalThis as Record<symbol, unknown>;
  const handle = registry[TEST_INFRA_KEY] as TestInfraHandle | undefined;
  if (!handle) return;
  delete registry[TEST_INFRA_KEY];
  for (const name of handle.setVariables) delete process.env[name];
  await handle.infra.stop();
}
