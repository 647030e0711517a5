import { slaTargets } from './sla-policy';

describe(slaTargets.name, () => {
  it('should give chat and messaging a 5-minute first response by default', () => {
    for (const channel of ['whatsapp', 'sms', 'webchat', 'telegram']) {
      expect(slaTargets(channel, 'normal').firstResponseMs).toBe(5 * 60_000);
    }
  });

  it('should give e-mail a 24-hour first response by default', () => {
    expect(slaTargets('email', 'normal').firstResponseMs).toBe(24 * 3_600_000);
  });

  it('should tighten the targets for urgent conversations', () => {
    expect(slaTargets('whatsapp', 'urgent')).toEqual({
      firstResponseMs: 75_000,
      resolutionMs: 2 * 3_600_000,
    });
  });

  it('should let an override replace one target of one channel and priority', () => {
    const targets = slaTargets('email', 'high', { email: { high: { firstResponseMs: 3_600_000 } } });

    expect(targets).toEqual({ firstResponseMs: 3_600_000, resolutionMs: 36 * 3_600_000 });
  });
});
