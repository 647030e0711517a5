import { Agent, request } from 'node:http';

/** One prepared POST: the bytes are built before the clock starts, so the generator measures the server. */
export interface LoadRequest {
  body: string;
  headers: Readonly<Record<string, string>>;
}

export interface LoadOptions {
  /** `http://127.0.0.1:port/path`. */
  url: string;
  requests: readonly LoadRequest[];
  /** Requests in flight at any time, over as many keep-alive connections. */
  concurrency: number;
  /** Epoch ms: no request starts after it, and one still in flight then is aborted. */
  deadline: number;
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

/** POSTs every request once, `concurrency` at a time (a closed loop: each worker sends its next when answered). */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const errors = new Map<string, number>();
  const latenciesMs: number[] = [];
  const fail = (kind: string, count = 1): void => void errors.set(kind, (errors.get(kind) ?? 0) + count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.requests.length && Date.now() < options.deadline) {
      const prepared = options.requests[next++];
      if (!prepared) return;
      const startedAt = performance.now();
      try {
        const { status, body } = await post(agent, options.url, prepared, options.deadline);
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
  if (next < options.requests.length) fail('not sent before the deadline', options.requests.length - next);
  latenciesMs.sort((a, b) => a - b);
  const errorCount = [...errors.values()].reduce((sum, count) => sum + count, 0);
  return { accepted: latenciesMs.length, errors, errorCount, latenciesMs, wallMs };
}

function post(
  agent: Agent,
  url: string,
  prepared: LoadRequest,
  deadline: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...prepared.headers, 'content-length': String(Buffer.byteLength(prepared.body)) },
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

/** `0 errors`, or `3 errors (HTTP 503: 2, ECONNRESET: 1)`. */
export function describeErrors(result: Pick<LoadResult, 'errors' | 'errorCount'>): string {
  if (result.errorCount === 0) return '0 errors';
  const kinds = [...result.errors].map(([kind, count]) => `${kind}: ${count}`).join(', ');
  return `${result.errorCount} errors (${kinds})`;
}
