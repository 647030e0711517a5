import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';

/** What a probe returns while the expected state has not been reached yet. */
export type NotYet = undefined | null | false;

export interface WaitForOptions {
  /** Default 10 000 ms. */
  timeoutMs?: number;
  /** Pause between probes. Default 50 ms. */
  intervalMs?: number;
  /** What is awaited, for the timeout message (`"the message in the router's timeline"`). */
  description?: string;
}

export class WaitForTimeoutError extends Error {
  override readonly name = 'WaitForTimeoutError';
}

/**
 * Polls `probe` until it returns something other than undefined, null or false, and returns that; a probe that
 * throws counts as "not yet". After the deadline it throws, naming the description and the last value or error.
 * Use it instead of sleeping to wait for asynchronous work.
 */
export async function waitFor<T>(
  probe: () => Promise<T | NotYet> | T | NotYet,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const description = options.description ?? 'the condition';
  const deadline = Date.now() + timeoutMs;
  let last: { value: unknown } | { error: unknown } | undefined;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const remaining = Math.max(deadline - Date.now(), 0);
    try {
      const value = await withDeadline(Promise.resolve().then(probe), remaining);
      if (value !== undefined && value !== null && value !== false) return value;
      last = { value };
    } catch (error) {
      last = error === PROBE_TIMED_OUT ? { error: new Error(`the probe was still running`) } : { error };
    }
    if (Date.now() >= deadline) {
      throw new WaitForTimeoutError(
        `Timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${description}; ${describe(last)}`,
      );
    }
    await delay(Math.min(intervalMs, Math.max(deadline - Date.now(), 0)));
  }
}

const PROBE_TIMED_OUT = Symbol('probe timed out');

async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  try {
    return await Promise.race([
      promise,
      delay(ms, undefined, { signal: controller.signal }).then(() => Promise.reject(PROBE_TIMED_OUT)),
    ]);
  } finally {
    controller.abort();
  }
}

function describe(last: { value: unknown } | { error: unknown } | undefined): string {
  if (last === undefined) return 'the probe never ran';
  if ('error' in last) {
    const error = last.error;
    return `last error: ${error instanceof Error ? `${error.name}: ${error.message}` : inspect(error)}`;
  }
  return `last value: ${inspect(last.value, { depth: 4, breakLength: Infinity })}`;
}
