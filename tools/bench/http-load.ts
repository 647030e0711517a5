import { Agent, request } from 'node:http';
import { percentile } from './bench-args';

/** One prepared request: the bytes are built before the clock starts, so the generator measures the server. */
export interface LoadRequest {
  /** Default POST. */
  method?: 'GET' | 'POST';
  /** Path and query appended to the load's url; none: the url itself. */
  path?: string;
  /** Sent as is (POST); a GET has none. */
  body?: string;
  headers: Readonly<Record<string, string>>;
}

export interface LoadOptions {
  /** `http://127.0.0.1:port/path`, or `http://127.0.0.1:port` when every request names its own path. */
  url: string;
  requests: readonly LoadRequest[];
  /** Requests in flight at any time, over as many keep-alive connections. */
  concurrency: number;
  /** Epoch ms: no request starts after it, and one still in flight then is aborted. */
  deadline: number;
  /**
   * A timed run: no request starts this long after the first one, and those left unsent are not errors (the ones in
   * flight still count). Without it every request is sent.
   */
  durationMs?: number;
  /** A 2xx whose body differs is an error too, so a baseline that answers something else is caught. */
  expectedBody?: string;
}

export interface LoadResult {
  /** 2xx answers (with the expected body, when one is given). */
  accepted: number;
  /** Everything else, by kind: `HTTP 503`, `ECONNRESET`, `not sent before the deadline`, … */
  errors: Map<string, number>;
  errorCount: number;
  /** Response times of the accepted requests, ascending. */
  latenciesMs: number[];
  /** First request sent → last answer received. */
  wallMs: number;
}

/** Sends every request once (or until `durationMs`), `concurrency` at a time (a closed loop: each worker sends its next when answered). */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const errors = new Map<string, number>();
  const latenciesMs: number[] = [];
  const fail = (kind: string, count = 1): void => void errors.set(kind, (errors.get(kind) ?? 0) + count);
  let next = 0;
  const timedUntil = options.durationMs === undefined ? Infinity : Date.now() + options.durationMs;
  const stopAt = Math.min(options.deadline, timedUntil);
  const worker = async (): Promise<void> => {
    while (next < options.requests.length && Date.now() < stopAt) {
      const prepared = options.requests[next++];
      if (!prepared) return;
      const startedAt = performance.now();
      try {
        const { status, body } = await send(agent, options.url, prepared, options.deadline);
        if (status < 200 || status > 299) fail(`HTTP ${status}`);
        else if (options.expectedBody !== undefined && body !== options.expectedBody)
          fail(`HTTP ${status} with another body`);
        else latenciesMs.push(performance.now() - startedAt);
      } catch (error) {
        fail((error as NodeJS.ErrnoException).code ?? (error as Error).name);
      }
    }
  };
  const startedAt = performance.now();
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  const wallMs = performance.now() - startedAt;
  if (next < options.requests.length && options.deadline <= timedUntil)
    fail('not sent before the deadline', options.requests.length - next);
  latenciesMs.sort((a, b) => a - b);
  const errorCount = [...errors.values()].reduce((sum, count) => sum + count, 0);
  return { accepted: latenciesMs.length, errors, errorCount, latenciesMs, wallMs };
}

function send(
  agent: Agent,
  url: string,
  prepared: LoadRequest,
  deadline: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${url}${prepared.path ?? ''}`,
      {
        method: prepared.method ?? 'POST',
        agent,
        headers:
          prepared.body === undefined
            ? prepared.headers
            : { ...prepared.headers, 'content-length': String(Buffer.byteLength(prepared.body)) },
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (part: Buffer) => parts.push(part));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(prepared.body);
  });
}

export interface Measured extends LoadResult {
  perSecond: number;
  p50: number;
  p99: number;
  warmup: LoadResult;
}

/** A short warm-up (JIT, connections, caches), then the measured run, both with the same load options. */
export async function measureLoad(
  load: Omit<LoadOptions, 'requests'>,
  warmup: readonly LoadRequest[],
  measured: readonly LoadRequest[],
): Promise<Measured> {
  const warm = await runLoad({ ...load, requests: warmup });
  const result = await runLoad({ ...load, requests: measured });
  const round = (value: number): number => Math.round(value * 100) / 100;
  const perSecond = result.accepted / (result.wallMs / 1000);
  return {
    ...result,
    // Whole requests per second, with one decimal below 100 (a slow route would otherwise read 2 or 3).
    perSecond: perSecond >= 100 ? Math.round(perSecond) : Math.round(perSecond * 10) / 10,
    p50: round(percentile(result.latenciesMs, 0.5)),
    p99: round(percentile(result.latenciesMs, 0.99)),
    warmup: warm,
  };
}

/** `  name 1234 req/s, p50 1.2 ms, p99 3.4 ms, 3000/3000 accepted, 0 errors` (and the warm-up's errors, if any). */
export function describeMeasured(name: string, result: Measured, unit: string): string {
  return (
    `  ${name} ${result.perSecond} ${unit}, p50 ${result.p50} ms, p99 ${result.p99} ms, ` +
    `${result.accepted}/${result.accepted + result.errorCount} accepted, ${describeErrors(result)}` +
    (result.warmup.errorCount > 0 ? `; warm-up: ${describeErrors(result.warmup)}` : '')
  );
}

/** `0 errors`, or `3 errors (HTTP 503: 2, ECONNRESET: 1)`. */
export function describeErrors(result: Pick<LoadResult, 'errors' | 'errorCount'>): string {
  if (result.errorCount === 0) return '0 errors';
  const kinds = [...result.errors].map(([kind, count]) => `${kind}: ${count}`).join(', ');
  return `${result.errorCount} errors (${kinds})`;
}
