export { waitFor, WaitForTimeoutError, type WaitForOptions, type NotYet } from './wait-for';
export { uniqueName } from './unique-name';
export { testKafkaBrokers, testMongoUrl } from './test-servers';
