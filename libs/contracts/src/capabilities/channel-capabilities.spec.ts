import { CHANNELS } from '../topics/channel.constants';
import { CHANNEL_CAPABILITIES, mediaKindOf, refuseReply, windowOf } from './channel-capabilities';

const HOUR = 3_600_000;
const now = new Date('2026-11-23T12:00:00Z');
const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);
const file = (contentType: string, size: number) => ({ contentType, size, fileName: 'arquivo' });

describe('CHANNEL_CAPABILITIES', () => {
  it.each(CHANNELS)('should declare what %s can do, consistently', (channel) => {
    const capabilities = CHANNEL_CAPABILITIES[channel];

    expect(capabilities.maxTextLength).toBeGreaterThan(0);
    expect(capabilities.receipts).toContain('sent');
    if (capabilities.maxAttachments > 0) expect(Object.keys(capabilities.media).length).toBeGreaterThan(0);
    if (capabilities.businessInitiated === 'template') expect(capabilities.templates).toBe(true);
  });
});

describe(refuseReply.name, () => {
  it('should let a plain reply within the limits go out', () => {
    expect(refuseReply('whatsapp', { text: 'Olá!' })).toBeUndefined();
    expect(
      refuseReply('email', { text: 'x', attachments: [file('application/zip', 1_000)] }),
    ).toBeUndefined();
  });

  it.each([
    ['sms', { text: 'x'.repeat(1_601) }, 'TEXT_TOO_LONG'],
    ['instagram', { text: 'x'.repeat(1_001) }, 'TEXT_TOO_LONG'],
    ['whatsapp', { text: '  ' }, 'EMPTY_REPLY'],
    ['sms', { template: { name: 'x' } }, 'TEMPLATE_NOT_SUPPORTED'],
    ['whatsapp', { attachments: [file('image/png', 10), file('image/png', 10)] }, 'TOO_MANY_ATTACHMENTS'],
    ['whatsapp', { attachments: [file('image/png', 6_000_000)] }, 'ATTACHMENT_TOO_LARGE'],
    ['sms', { attachments: [file('application/zip', 10)] }, 'ATTACHMENT_TYPE_NOT_SUPPORTED'],
    [
      'sms',
      { attachments: [file('image/jpeg', 3_000_000), file('image/png', 3_000_000)] },
      'ATTACHMENTS_TOO_LARGE',
    ],
  ] as const)('should refuse on %s: %j → %s', (channel, draft, code) => {
    const refusal = refuseReply(channel, draft);

    expect(refusal?.code).toBe(code);
    expect(refusal?.message.length).toBeGreaterThan(10);
  });

  it('should name the limits in words an agent understands', () => {
    expect(refuseReply('whatsapp', { attachments: [file('video/mp4', 20_000_000)] })?.message).toBe(
      'arquivo is 20 MB; whatsapp sends video files up to 16 MB',
    );
  });
});

describe(mediaKindOf.name, () => {
  it('should pick the kind that names the type over a catch-all document', () => {
    expect(mediaKindOf('whatsapp', 'image/webp')).toBe('sticker');
    expect(mediaKindOf('whatsapp', 'image/jpeg; charset=binary')).toBe('image');
    expect(mediaKindOf('whatsapp', 'application/zip')).toBe('document');
    expect(mediaKindOf('instagram', 'application/pdf')).toBeUndefined();
  });
});

describe(windowOf.name, () => {
  it('should keep WhatsApp open for 24 hours after the customer wrote, then allow only templates', () => {
    expect(windowOf('whatsapp', ago(23), now)).toEqual({
      state: 'open',
      closesAt: new Date(ago(23).getTime() + 24 * HOUR),
    });
    expect(windowOf('whatsapp', ago(25), now)).toEqual({ state: 'template-only' });
    expect(windowOf('whatsapp', undefined, now)).toEqual({ state: 'template-only' });
  });

  it('should allow a human agent on Messenger for 7 days, then nothing', () => {
    expect(windowOf('messenger', ago(48), now)).toEqual({
      state: 'human-agent-only',
      closesAt: new Date(ago(48).getTime() + 168 * HOUR),
    });
    expect(windowOf('messenger', ago(169), now)).toEqual({ state: 'closed' });
  });

  it('should have no window on SMS and e-mail, and no first message from the business on Telegram', () => {
    expect(windowOf('sms', ago(1_000), now)).toEqual({ state: 'open' });
    expect(windowOf('email', undefined, now)).toEqual({ state: 'open' });
    expect(windowOf('telegram', undefined, now)).toEqual({ state: 'closed' });
    expect(windowOf('telegram', ago(1_000), now)).toEqual({ state: 'open' });
  });
});
