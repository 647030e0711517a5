import { MessageRateLimit } from './message-rate-limit';

describe(MessageRateLimit.name, () => {
  it('should refuse the message after the limit when sent within one minute', () => {
    let now = 1_000;
    const sut = new MessageRateLimit(2, () => now);

    const taken = [sut.take(), sut.take(), sut.take()];
    now += 15_000;

    expect(taken).toEqual([0, 0, 60]);
    expect(sut.take()).toBe(45);
  });

  it('should accept messages again when the window has ended', () => {
    let now = 0;
    const sut = new MessageRateLimit(1, () => now);
    sut.take();

    now += 60_000;

    expect(sut.take()).toBe(0);
  });
});
