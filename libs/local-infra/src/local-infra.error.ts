/** Why local infrastructure could not be provisioned or started; the message names the tool and shows its output. */
export class LocalInfraError extends Error {
  override readonly name = 'LocalInfraError';
}

export function tail(lines: readonly string[], count = 30): string {
  const shown = lines.slice(-count);
  return shown.length > 0 ? shown.map((line) => `  | ${line}`).join('\n') : '  | (no output)';
}
