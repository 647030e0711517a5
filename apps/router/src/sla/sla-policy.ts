import type { Priority } from '../routing/routing-rules';

export interface SlaTargets {
  firstResponseMs: number;
  resolutionMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** E-mail is answered within a working day; chat and messaging customers expect minutes. */
const BASE_TARGETS: Record<'messaging' | 'email', SlaTargets> = {
  messaging: { firstResponseMs: 5 * MINUTE, resolutionMs: 8 * HOUR },
  email: { firstResponseMs: 24 * HOUR, resolutionMs: 72 * HOUR },
};

const PRIORITY_FACTOR: Record<Priority, number> = { urgent: 0.25, high: 0.5, normal: 1, low: 2 };

export type SlaOverrides = Partial<Record<string, Partial<Record<Priority, Partial<SlaTargets>>>>>;

/**
 * First-response and resolution targets for a conversation, by channel and priority. Overrides (from the queue
 * seed) replace the computed defaults for a channel/priority pair.
 */
export function slaTargets(channel: string, priority: Priority, overrides: SlaOverrides = {}): SlaTargets {
  const base = BASE_TARGETS[channel === 'email' ? 'email' : 'messaging'];
  const factor = PRIORITY_FACTOR[priority];
  const override = overrides[channel]?.[priority] ?? {};
  return {
    firstResponseMs: override.firstResponseMs ?? Math.round(base.firstResponseMs * factor),
    resolutionMs: override.resolutionMs ?? Math.round(base.resolutionMs * factor),
  };
}
