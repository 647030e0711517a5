// Shared by every project's jest.config.js. Tests are compiled with SWC (type checking is `npm run typecheck`),
// and the global setup starts real Kafka and FerretDB once per run unless KAFKA_BROKERS / MONGO_URL are given.
const { readFileSync } = require('node:fs');
const path = require('node:path');

const swc = JSON.parse(readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts', '<rootDir>/*.spec.ts'],
  globalSetup: path.join(__dirname, 'libs/testing/src/jest/global-setup.ts'),
  globalTeardown: path.join(__dirname, 'libs/testing/src/jest/global-teardown.ts'),
  testTimeout: 60_000,
};
