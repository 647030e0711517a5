// Before any decorated class is defined, or TypeScript's design-type metadata is silently not recorded.
import 'reflect-metadata';
export { ServiceConfig, LOG_LEVELS, type LogLevel } from './config/service-config';
export { loadConfig, ConfigValidationError } from './config/load-config';
export { PlatformModule, type PlatformOptions } from './platform.module';
export { HealthController } from './health/health.controller';
export { ReadinessChecks, type ReadinessCheck } from './health/readiness-checks';
export { createServiceApp, runService, type ServiceDefinition } from './bootstrap/service-app';
