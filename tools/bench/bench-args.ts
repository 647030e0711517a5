/** `--name value` from the command line, or the fallback; rejects what is not a positive number. */
export function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** The value at `fraction` (0.5 = p50) of an ascending list; NaN when it is empty. */
export function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

/** After the deadline, whatever still hangs (a close, a disconnect) is cut short; the infra dies with the process. */
const HARD_STOP_GRACE_MS = 60_000;

/** Last resort: exits (code 1) when the process still runs HARD_STOP_GRACE_MS after `timeoutMs` from now. */
export function hardStopAfter(timeoutMs: number): void {
  setTimeout(() => {
    console.error(`bench: still running ${HARD_STOP_GRACE_MS / 1000} s after --timeout-s, exiting`);
    process.exit(1);
  }, timeoutMs + HARD_STOP_GRACE_MS).unref();
}
