import { followMergeChains, type MergePointers } from './merge-chain';

/** An in-memory customer store that records each bulk read. */
function buildStore(pointers: Record<string, string | null>) {
  const reads: string[][] = [];
  const load = async (ids: readonly string[]): Promise<MergePointers> => {
    reads.push([...ids]);
    return new Map(ids.filter((id) => id in pointers).map((id) => [id, pointers[id] ?? null]));
  };
  return { load, reads };
}

describe(followMergeChains.name, () => {
  it('should end at the customer that is not merged when the chain has several levels', async () => {
    const { load } = buildStore({ a: 'b', b: 'c', c: null });

    const ends = await followMergeChains(['a'], load);

    expect(ends.get('a')).toEqual({
      canonicalId: 'c',
      known: true,
      path: ['a', 'b', 'c'],
      cycle: false,
      truncated: false,
    });
  });

  it('should read each level once for all chains when several customers are resolved together', async () => {
    const { load, reads } = buildStore({ a: 'c', b: 'c', c: null, d: null });

    const ends = await followMergeChains(['a', 'b', 'd', 'a'], load);

    expect(Object.fromEntries([...ends].map(([id, end]) => [id, end.canonicalId]))).toEqual({
      a: 'c',
      b: 'c',
      d: 'd',
    });
    expect(reads).toEqual([['a', 'b', 'd'], ['c']]);
  });

  it('should report an unknown customer as itself and not known', async () => {
    const { load } = buildStore({});

    const end = (await followMergeChains(['ghost'], load)).get('ghost');

    expect(end).toMatchObject({ canonicalId: 'ghost', known: false });
  });

  it('should stop at the last stored customer when a pointer dangles', async () => {
    const { load } = buildStore({ a: 'b', b: 'gone' });

    expect((await followMergeChains(['a'], load)).get('a')).toMatchObject({ canonicalId: 'b', known: true });
  });

  it('should give every member of a loop the smallest id of the loop when two merges crossed', async () => {
    const { load } = buildStore({ x: 'b', b: 'a', a: 'b' });

    const ends = await followMergeChains(['x', 'a', 'b'], load);

    expect([...ends.values()].map((end) => [end.canonicalId, end.cycle])).toEqual([
      ['a', true],
      ['a', true],
      ['a', true],
    ]);
  });

  it('should stop after the hop limit when a chain is longer', async () => {
    const { load } = buildStore({ c0: 'c1', c1: 'c2', c2: 'c3', c3: null });

    const end = (await followMergeChains(['c0'], load, 2)).get('c0');

    expect(end).toMatchObject({ canonicalId: 'c2', truncated: true, path: ['c0', 'c1', 'c2'] });
  });
});
