import type { RetrySettings } from '../config/messaging.options';

/** Exponential backoff before attempt `attempt + 1`, capped so a retry never outlives the group's patience. */
export function backoffDelayMs(attempt: number, retry: RetrySettings): number {
  if (attempt < 1) return 0;
  const exponential = retry.initialBackoffMs * 2 ** (attempt - 1);
  return Math.min(exponential, retry.maxBackoffMs);
}

export function shouldRetry(attempt: number, retry: RetrySettings): boolean {
  return attempt < retry.attempts;
}
