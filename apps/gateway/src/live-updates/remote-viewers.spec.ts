import { RemoteViewers } from './remote-viewers';

describe(RemoteViewers.name, () => {
  const ana = { agentId: 'ana', role: 'solver' } as const;
  let now = 0;
  const sut = (): RemoteViewers => new RemoteViewers(1_000, () => now);

  beforeEach(() => {
    now = 0;
  });

  it('should announce a viewer once, however many heartbeats arrive', () => {
    const viewers = sut();

    expect(viewers.seen('t|c1', 'gw-2', ana)).toBe(true);
    expect(viewers.seen('t|c1', 'gw-2', ana)).toBe(false);
    expect(viewers.seen('t|c1', 'gw-3', ana)).toBe(true);
    expect(viewers.of('t|c1')).toEqual([ana, ana]);
    expect(viewers.of('t|c2')).toEqual([]);
  });

  it('should forget a viewer who left, and say whether it was known', () => {
    const viewers = sut();
    viewers.seen('t|c1', 'gw-2', ana);

    expect(viewers.gone('t|c1', 'gw-2', 'ana')).toBe(true);
    expect(viewers.gone('t|c1', 'gw-2', 'ana')).toBe(false);
    expect(viewers.of('t|c1')).toEqual([]);
  });

  it('should expire a viewer whose heartbeats stopped, and keep one whose heartbeats go on', () => {
    const viewers = sut();
    viewers.seen('t|c1', 'gw-2', ana);
    viewers.seen('t|c2', 'gw-2', ana);
    now = 900;
    viewers.seen('t|c2', 'gw-2', ana);
    now = 1_000;

    expect(viewers.expire()).toEqual([{ key: 't|c1', viewer: ana }]);
    expect(viewers.of('t|c2')).toEqual([ana]);
  });
});
