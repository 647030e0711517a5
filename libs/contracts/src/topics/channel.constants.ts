export const CHANNELS = [
  'email',
  'whatsapp',
  'sms',
  'webchat',
  'telegram',
  'messenger',
  'instagram',
] as const;

export type Channel = (typeof CHANNELS)[number];

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}
