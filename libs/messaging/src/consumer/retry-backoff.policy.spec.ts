import { backoffDelayMs, shouldRetry } from './retry-backoff.policy';

const retry = { attempts: 4, initialBackoffMs: 100, maxBackoffMs: 350 };

describe('retry backoff policy', () => {
  it('should double the delay after each failed attempt', () => {
    expect([1, 2].map((attempt) => backoffDelayMs(attempt, retry))).toEqual([100, 200]);
  });

  it('should cap the delay at maxBackoffMs when the exponential grows past it', () => {
    expect([3, 4, 30].map((attempt) => backoffDelayMs(attempt, retry))).toEqual([350, 350, 350]);
  });

  it('should not wait when no attempt failed yet', () => {
    expect(backoffDelayMs(0, retry)).toBe(0);
  });

  it('should allow retries only while attempts remain', () => {
    expect([1, 3, 4, 5].map((attempt) => shouldRetry(attempt, retry))).toEqual([true, true, false, false]);
  });

  it('should never retry when attempts is 1', () => {
    expect(shouldRetry(1, { ...retry, attempts: 1 })).toBe(false);
  });
});
