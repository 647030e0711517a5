import { randomBytes } from 'node:crypto';

/**
 * `prefix` plus a random suffix, for topics, consumer groups and databases that must not collide between tests
 * or runs. Only [a-z0-9-] is added, which Kafka topic names and MongoDB database names both accept.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
