import { SendRateLimiter } from './send-rate-limiter';

describe(SendRateLimiter.name, () => {
  let now: number;
  let waits: number[];
  const clock = () => now;
  // Records the waits without moving the clock: the callers below all ask at the same instant.
  const sleep = async (ms: number) => {
    waits.push(ms);
  };
  // Moves the clock by what it waited: for the sends that come one after another.
  const advancingSleep = async (ms: number) => {
    waits.push(ms);
    now += ms;
  };
  const rates = { botPerSecond: 30, chatPerSecond: 1, groupPerMinute: 20 };

  beforeEach(() => {
    now = 1_000_000;
    waits = [];
  });

  it('should space the messages of one private chat a second apart', async () => {
    const sut = new SendRateLimiter(rates, clock, sleep);

    await Promise.all([sut.acquire('bot', '111'), sut.acquire('bot', '111'), sut.acquire('bot', '111')]);

    expect(waits).toEqual([1_000, 2_000]);
  });

  it('should space the messages of a group three seconds apart (20 a minute)', async () => {
    const sut = new SendRateLimiter(rates, clock, sleep);

    await Promise.all([sut.acquire('bot', '-100123'), sut.acquire('bot', '-100123')]);

    expect(waits).toEqual([3_000]);
  });

  it('should hold the bot to its own pace across chats', async () => {
    const sut = new SendRateLimiter({ ...rates, botPerSecond: 10 }, clock, sleep);

    await Promise.all(['1', '2', '3'].map((chat) => sut.acquire('bot', chat)));

    expect(waits).toEqual([100, 200]);
  });

  it('should not make one bot wait for another', async () => {
    const sut = new SendRateLimiter(rates, clock, sleep);

    await sut.acquire('bot-a', '111');
    await sut.acquire('bot-b', '111');

    expect(waits).toEqual([]);
  });

  it('should hold every chat of a bot back until a 429’s retry_after has passed', async () => {
    const sut = new SendRateLimiter(rates, clock, advancingSleep);

    sut.pause('bot', 5_000);
    await sut.acquire('bot', '222');
    await sut.acquire('other-bot', '222');

    expect(waits).toEqual([5_000]);
  });

  it('should also hold back a send that already had its slot when the 429 came', async () => {
    const pausingSleep = async (ms: number) => {
      await advancingSleep(ms);
      // While this send waits for its slot, another one of the bot gets a 429.
      if (waits.length === 1) sut.pause('bot', 4_000);
    };
    const sut = new SendRateLimiter(rates, clock, pausingSleep);

    await Promise.all([sut.acquire('bot', '333'), sut.acquire('bot', '333')]);

    expect(waits).toEqual([1_000, 4_000]);
  });
});
