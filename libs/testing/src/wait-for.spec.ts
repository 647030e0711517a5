import { waitFor, WaitForTimeoutError } from './wait-for';

describe(waitFor.name, () => {
  it('should return the first value that is not undefined, null or false', async () => {
    const values = [undefined, null, false, 0];
    let calls = 0;

    const result = await waitFor(() => values[calls++], { intervalMs: 1 });

    expect(result).toBe(0);
    expect(calls).toBe(4);
  });

  it('should treat a probe that throws as not ready yet', async () => {
    let calls = 0;

    const result = await waitFor(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('not there');
        return { id: 'm-1' };
      },
      { intervalMs: 1 },
    );

    expect(result).toEqual({ id: 'm-1' });
  });

  it('should name the description and the last value when it times out', async () => {
    const sut = waitFor((): { status: string } | undefined => undefined, {
      timeoutMs: 50,
      intervalMs: 5,
      description: 'the delivery status',
    });

    await expect(sut).rejects.toThrow(WaitForTimeoutError);
    await expect(sut).rejects.toThrow(
      /Timed out after 50 ms .*waiting for the delivery status; last value: undefined/,
    );
  });

  it('should name the last error when the probe kept failing', async () => {
    const sut = waitFor(
      () => {
        throw new Error('connection refused');
      },
      { timeoutMs: 30, intervalMs: 5, description: 'the broker' },
    );

    await expect(sut).rejects.toThrow(/waiting for the broker; last error: Error: connection refused/);
  });

  it('should give up at the deadline when the probe itself never settles', async () => {
    const started = Date.now();

    const sut = waitFor(() => new Promise<string>(() => undefined), {
      timeoutMs: 40,
      description: 'a stuck probe',
    });

    await expect(sut).rejects.toThrow(/a stuck probe; last error: Error: the probe was still running/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('should keep polling until the state is reached when it arrives later', async () => {
    const readyAt = Date.now() + 60;

    const result = await waitFor(() => Date.now() >= readyAt && 'ready', {
      timeoutMs: 2_000,
      intervalMs: 10,
    });

    expect(result).toBe('ready');
  });
});
