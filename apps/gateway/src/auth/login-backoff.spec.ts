import { LoginBackoff } from './login-backoff';

describe(LoginBackoff.name, () => {
  let clock: number;
  let sut: LoginBackoff;

  beforeEach(() => {
    clock = 1_000_000;
    sut = new LoginBackoff({ afterFailures: 3, maxSeconds: 10 }, () => clock);
  });

  function fail(times: number): void {
    for (let index = 0; index < times; index += 1) sut.recordFailure('tenant|ana@ponte.example');
  }

  it('should let the first failures through without waiting', () => {
    fail(3);

    expect(sut.retryAfterSeconds('tenant|ana@ponte.example')).toBe(0);
  });

  it('should double the wait with each failure past the threshold, up to the maximum', () => {
    const waits = [];
    fail(3);
    for (let index = 0; index < 6; index += 1) {
      fail(1);
      waits.push(sut.retryAfterSeconds('tenant|ana@ponte.example'));
    }

    expect(waits).toEqual([1, 2, 4, 8, 10, 10]);
  });

  it('should open again once the wait has passed', () => {
    fail(5);
    clock += 2_000;

    expect(sut.retryAfterSeconds('tenant|ana@ponte.example')).toBe(0);
  });

  it('should start over after a success', () => {
    fail(5);
    sut.recordSuccess('tenant|ana@ponte.example');
    fail(3);

    expect(sut.retryAfterSeconds('tenant|ana@ponte.example')).toBe(0);
  });

  it('should forget a key after twice the longest wait without failures', () => {
    fail(5);
    clock += 21_000;
    fail(1);

    expect(sut.retryAfterSeconds('tenant|ana@ponte.example')).toBe(0);
  });

  it('should keep keys apart and forget the oldest beyond maxEntries', () => {
    const small = new LoginBackoff({ afterFailures: 1, maxSeconds: 60, maxEntries: 2 }, () => clock);
    for (const key of ['a', 'a', 'b', 'b', 'c', 'c']) small.recordFailure(key);

    expect(['a', 'b', 'c'].map((key) => small.retryAfterSeconds(key))).toEqual([0, 1, 1]);
  });
});
