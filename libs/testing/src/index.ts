export { waitFor, WaitForTimeoutError, type WaitForOptions, type NotYet } from './wait-for';
export { uniqueName } from './unique-name';
export { testKafkaBrokers, testMongoUrl } from './test-servers';
export { ServiceProcess, type ServiceProcessOptions } from './service-process';
// Tests that need a server of their own (to stop it, for instance) start one like the global setup does.
export { startLocalInfra, type LocalInfra } from '@ponte/local-infra';
