import { SupervisedProcess } from './process-supervisor';

describe(SupervisedProcess.name, () => {
  it('should fail with the last output lines when the process exits before it is ready', async () => {
    const sut = SupervisedProcess.start({
      name: 'broken',
      command: '/bin/sh',
      args: ['-c', 'echo starting; echo "fatal: no disk" >&2; exit 3'],
    });

    const ready = sut.waitUntil(() => false, Date.now() + 5_000, 'a ready line');

    await expect(ready).rejects.toThrow(/broken .* exited with status 3 before a ready line/);
    await expect(ready).rejects.toThrow(/\| fatal: no disk/);
  });

  it('should fail naming what it waited for when the deadline passes', async () => {
    const sut = SupervisedProcess.start({ name: 'slow', command: '/bin/sh', args: ['-c', 'exec sleep 30'] });
    try {
      await expect(sut.waitUntil(() => false, Date.now() + 200, 'port 1 open')).rejects.toThrow(
        /slow .* did not get ready in time: port 1 open/,
      );
    } finally {
      await sut.stop(1_000);
    }
  });

  it('should stop a process with SIGTERM', async () => {
    const sut = SupervisedProcess.start({ name: 'polite', command: '/bin/sleep', args: ['30'] });
    await sut.waitUntil(() => true, Date.now() + 1_000, 'started');

    await sut.stop(5_000);

    expect(sut.exit).toMatch(/status 143|SIGTERM/);
  });

  it('should kill a process that ignores SIGTERM once the grace period is over', async () => {
    const lines: string[] = [];
    const sut = SupervisedProcess.start({
      name: 'stubborn',
      command: '/bin/sh',
      args: ['-c', "trap 'echo ignoring TERM' TERM; echo up; while :; do sleep 0.1; done"],
      log: (line) => lines.push(line),
    });
    await sut.waitUntil(() => sut.hasLogged(/^up$/), Date.now() + 5_000, 'up');

    await sut.stop(2_000);

    expect(sut.exit).toMatch(/status 137|SIGKILL/);
    expect(lines).toContain('[stubborn] ignoring TERM');
  });

  it('should report server output lines to the log, prefixed with its name', async () => {
    const lines: string[] = [];
    const sut = SupervisedProcess.start({
      name: 'echo',
      command: '/bin/sh',
      args: ['-c', 'echo one; echo two >&2'],
      log: (line) => lines.push(line),
    });

    await expect(sut.waitUntil(() => false, Date.now() + 5_000, 'never')).rejects.toThrow();

    expect(lines.sort()).toEqual(['[echo] one', '[echo] two']);
  });
});
