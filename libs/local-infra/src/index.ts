export { startLocalInfra, type LocalInfra, type LocalInfraOptions } from './local-infra';
export { LocalInfraError } from './local-infra.error';
export { KAFKA_VERSION, provisionKafka, kafkaAnswers } from './kafka.server';
export { FERRETDB_VERSION, provisionFerretDb, mongoPing } from './ferretdb.server';
export { DovecotServer, type DovecotServerOptions, type DovecotUser } from './dovecot.server';
export { cacheDir } from './provisioning';
export { canConnect, freePort, isPortFree } from './ports';
export { SupervisedProcess, type SupervisedProcessOptions } from './process-supervisor';
