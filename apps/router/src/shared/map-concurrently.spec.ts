import { mapConcurrently } from './map-concurrently';

describe('mapConcurrently', () => {
  it('should answer in input order while running at most `limit` calls at once', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapConcurrently([30, 10, 20, 0, 5], 2, async (delay, index) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, delay));
      running -= 1;
      return `${index}:${delay}`;
    });
    expect(results).toEqual(['0:30', '1:10', '2:20', '3:0', '4:5']);
    expect(peak).toBe(2);
  });

  it('should reject with the first failure after the started calls settle, starting no new ones', async () => {
    const started: number[] = [];
    let settled = 0;
    const run = mapConcurrently([0, 1, 2, 3], 2, async (item) => {
      started.push(item);
      await new Promise((resolve) => setTimeout(resolve, item === 1 ? 20 : 1));
      settled += 1;
      if (item === 0) throw new Error('boom');
      return item;
    });
    await expect(run).rejects.toThrow('boom');
    expect(started).toEqual([0, 1]);
    expect(settled).toBe(2);
  });

  it('should answer an empty list without calling', async () => {
    await expect(mapConcurrently([], 4, () => Promise.reject(new Error('called')))).resolves.toEqual([]);
  });
});
