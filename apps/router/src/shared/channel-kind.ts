import type { Channel } from '@ponte/contracts';

/** Capacity and SLA defaults distinguish asynchronous e-mail from every chat-like channel. */
export type ChannelKind = 'messaging' | 'email';

export function channelKindOf(channel: Channel): ChannelKind {
  return channel === 'email' ? 'email' : 'messaging';
}
