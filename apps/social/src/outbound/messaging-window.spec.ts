import { messagingTypeOf, OUTSIDE_MESSAGING_WINDOW } from './messaging-window';

const NOW = new Date('2025-03-20T12:00:00.000Z');
const HOUR = 3_600_000;

function wroteAgo(ms: number): Date {
  return new Date(NOW.getTime() - ms);
}

describe(messagingTypeOf.name, () => {
  it.each(['messenger', 'instagram'] as const)(
    'should answer on %s as a RESPONSE within 24 hours',
    (channel) => {
      expect(messagingTypeOf(channel, wroteAgo(23 * HOUR), NOW)).toEqual({
        type: { messaging_type: 'RESPONSE' },
      });
    },
  );

  it('should tag a reply HUMAN_AGENT from 24 hours to 7 days', () => {
    const tagged = { type: { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' } };

    expect(messagingTypeOf('messenger', wroteAgo(24 * HOUR), NOW)).toEqual(tagged);
    expect(messagingTypeOf('instagram', wroteAgo(7 * 24 * HOUR - 1), NOW)).toEqual(tagged);
  });

  it('should refuse a reply from 7 days on, or when the customer never wrote', () => {
    expect(messagingTypeOf('messenger', wroteAgo(7 * 24 * HOUR), NOW)).toMatchObject({
      refusal: { code: OUTSIDE_MESSAGING_WINDOW, retryable: false },
    });
    expect(messagingTypeOf('instagram', undefined, NOW)).toMatchObject({
      refusal: { code: OUTSIDE_MESSAGING_WINDOW, message: expect.stringMatching(/never written/) },
    });
  });
});
