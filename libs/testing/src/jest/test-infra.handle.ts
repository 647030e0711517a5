import type { LocalInfra } from '@ponte/local-infra';

// A registered symbol, so the setup and teardown modules find the same handle even if jest loads them separately.
export const TEST_INFRA_KEY = Symbol.for('ponte.testing.localInfra');

export interface TestInfraHandle {
  infra: LocalInfra;
  /** The variables the setup set itself, removed again by the teardown. */
  setVariables: ('KAFKA_BROKERS' | 'MONGO_URL')[];
}
