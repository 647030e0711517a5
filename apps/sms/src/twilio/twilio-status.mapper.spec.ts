import { DELIVERY_STATES } from '@ponte/contracts';
import { deliveryStateOf, TWILIO_MESSAGE_STATUSES, twilioErrorMessage } from './twilio-status.mapper';

describe(deliveryStateOf.name, () => {
  it.each([
    ['accepted', 'queued'],
    ['scheduled', 'queued'],
    ['queued', 'queued'],
    ['sending', 'queued'],
    ['sent', 'sent'],
    ['partially_delivered', 'sent'],
    ['delivered', 'delivered'],
    ['read', 'read'],
    ['failed', 'failed'],
    ['undelivered', 'failed'],
    ['canceled', 'failed'],
    ['received', undefined],
    ['receiving', undefined],
  ] as const)('should map Twilio %s to %s', (status, expected) => {
    expect(deliveryStateOf(status)).toBe(expected);
  });

  it('should map every Twilio status to a contract state or to nothing', () => {
    for (const status of TWILIO_MESSAGE_STATUSES) {
      const state = deliveryStateOf(status);
      expect(state === undefined || DELIVERY_STATES.includes(state)).toBe(true);
    }
  });
});

describe(twilioErrorMessage.name, () => {
  it('should prefer the message Twilio gave, then the known meaning, then the bare code', () => {
    expect(twilioErrorMessage('21211', 'The To number is invalid')).toBe('The To number is invalid');
    expect(twilioErrorMessage('30007')).toBe('Message filtered by the carrier');
    expect(twilioErrorMessage('99999')).toBe('Twilio error 99999');
  });
});
