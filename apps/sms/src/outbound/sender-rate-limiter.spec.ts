import { SenderRateLimiter } from './sender-rate-limiter';

describe(SenderRateLimiter.name, () => {
  let now: number;
  let waits: number[];
  const clock = () => now;
  // Records the waits without moving the clock: the callers below all ask at the same instant.
  const sleep = async (ms: number) => {
    waits.push(ms);
  };

  beforeEach(() => {
    now = 1_000_000;
    waits = [];
  });

  it('should space the sends of one sender by the configured rate', async () => {
    const sut = new SenderRateLimiter(1, clock, sleep);

    await Promise.all([
      sut.acquire('+5511999990000'),
      sut.acquire('+5511999990000'),
      sut.acquire('+5511999990000'),
    ]);

    expect(waits).toEqual([1_000, 2_000]);
  });

  it('should not make one sender wait for another', async () => {
    const sut = new SenderRateLimiter(1, clock, sleep);

    await sut.acquire('+5511999990000');
    await sut.acquire('whatsapp:+14155238886');

    expect(waits).toEqual([]);
  });

  it('should let a sender go at once when its last send is older than the interval', async () => {
    const sut = new SenderRateLimiter(10, clock, sleep);

    await sut.acquire('+5511999990000');
    now += 150;
    await sut.acquire('+5511999990000');

    expect(waits).toEqual([]);
  });
});
