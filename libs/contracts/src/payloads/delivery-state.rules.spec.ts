import { DELIVERY_STATES, isForwardTransition, type DeliveryState } from './delivery-state.rules';

describe(isForwardTransition.name, () => {
  it.each<[DeliveryState, DeliveryState]>([
    ['queued', 'sent'],
    ['queued', 'delivered'],
    ['sent', 'delivered'],
    ['delivered', 'read'],
    ['sent', 'read'],
    ['queued', 'failed'],
    ['sent', 'failed'],
    ['failed', 'delivered'],
    ['failed', 'read'],
  ])('should move forward when going from %s to %s', (from, to) => {
    expect(isForwardTransition(from, to)).toBe(true);
  });

  it.each<[DeliveryState, DeliveryState]>([
    ['sent', 'queued'],
    ['delivered', 'sent'],
    ['read', 'delivered'],
    ['delivered', 'failed'],
    ['read', 'failed'],
    ['failed', 'queued'],
    ['failed', 'sent'],
  ])('should refuse to go backwards when going from %s to %s', (from, to) => {
    expect(isForwardTransition(from, to)).toBe(false);
  });

  it.each(DELIVERY_STATES)('should treat a repeated %s as a replay, not a transition', (state) => {
    expect(isForwardTransition(state, state)).toBe(false);
  });
});
