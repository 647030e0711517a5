/** A Twilio webhook's form parameters, as Twilio sent them (a repeated name keeps every value). */
export type TwilioWebhookParams = Readonly<Record<string, string | readonly string[]>>;

/**
 * Decodes an `application/x-www-form-urlencoded` body exactly as Twilio encoded it. The signature is computed over
 * these decoded values, so the raw bytes are parsed here rather than trusting whichever parser ran before.
 */
export function parseWebhookParams(rawBody: string): TwilioWebhookParams {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(rawBody)) {
    const previous = params[name];
    if (previous === undefined) params[name] = value;
    else params[name] = Array.isArray(previous) ? [...previous, value] : [previous as string, value];
  }
  return params;
}

/** The single value of a parameter (the first one if Twilio repeated it), or undefined when absent or empty. */
export function param(params: TwilioWebhookParams, name: string): string | undefined {
  const value = params[name];
  const first = typeof value === 'string' ? value : value?.[0];
  return first === undefined || first === '' ? undefined : first;
}
