import { stableId } from './stable-id';

describe(stableId.name, () => {
  it('should give the same UUID for the same parts and another for other parts', () => {
    const id = stableId('t-1', 'sms', 'acc', 'SM1');

    expect(id).toBe(stableId('t-1', 'sms', 'acc', 'SM1'));
    expect(id).not.toBe(stableId('t-1', 'sms', 'acc', 'SM2'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('should not confuse parts that concatenate to the same text', () => {
    expect(stableId('ab', 'c')).not.toBe(stableId('a', 'bc'));
  });
});
