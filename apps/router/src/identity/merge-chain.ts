/**
 * How many `mergedInto` pointers a lookup follows. Merges refuse to nest deeper than MAX_MERGE_DEPTH, so only a
 * race between merges can build a longer chain; the margin keeps such a chain readable.
 */
export const MAX_MERGE_HOPS = 10;

/** The deepest nesting a merge may create (a customer merged into one merged into another…). */
export const MAX_MERGE_DEPTH = 8;

/** `mergedInto` of each stored customer (null when canonical); customers that are not stored are absent. */
export type MergePointers = ReadonlyMap<string, string | null>;
export type LoadMergePointers = (customerIds: readonly string[]) => Promise<MergePointers>;

export interface ChainEnd {
  /** Where the chain ends: the customer every lookup of the start customer answers with. */
  canonicalId: string;
  /** False when the start customer is not stored; canonicalId is then the start itself. */
  known: boolean;
  /** The customers walked through, start first. */
  path: string[];
  /** Two concurrent merges pointed the customers at each other: canonicalId is the smallest id of the loop. */
  cycle: boolean;
  /** The chain was longer than the hop limit: canonicalId is where the walk stopped. */
  truncated: boolean;
}

/**
 * Follows `mergedInto` from every start id at once, loading the pointers level by level (one bulk read per
 * level, not per customer). Every outcome is deterministic — a loop resolves to its smallest id, a dangling
 * pointer stops at the last stored customer — so concurrent readers agree on the canonical customer even while
 * a racing merge is being rolled back.
 */
export async function followMergeChains(
  startIds: readonly string[],
  load: LoadMergePointers,
  maxHops: number = MAX_MERGE_HOPS,
): Promise<Map<string, ChainEnd>> {
  const pointers = new Map<string, string | null | undefined>();
  const walks = new Map<string, string[]>(startIds.map((id) => [id, [id]]));
  const ends = new Map<string, ChainEnd>();
  while (walks.size > 0) {
    const missing = [...new Set([...walks.values()].map(lastOf))].filter((id) => !pointers.has(id));
    if (missing.length > 0) {
      const loaded = await load(missing);
      for (const id of missing) pointers.set(id, loaded.has(id) ? (loaded.get(id) ?? null) : undefined);
    }
    for (const [start, path] of walks) {
      const end = advance(path, pointers, maxHops);
      if (end) {
        ends.set(start, end);
        walks.delete(start);
      }
    }
  }
  return ends;
}

/** Walks as far as the loaded pointers allow; undefined when the next pointer still has to be loaded. */
function advance(
  path: string[],
  pointers: ReadonlyMap<string, string | null | undefined>,
  maxHops: number,
): ChainEnd | undefined {
  for (;;) {
    const current = lastOf(path);
    if (!pointers.has(current)) return undefined;
    const next = pointers.get(current);
    if (next === undefined) {
      if (path.length === 1)
        return { canonicalId: current, known: false, path, cycle: false, truncated: false };
      path.pop();
      return { canonicalId: lastOf(path), known: true, path, cycle: false, truncated: false };
    }
    if (next === null) return { canonicalId: current, known: true, path, cycle: false, truncated: false };
    const loopStart = path.indexOf(next);
    if (loopStart >= 0) {
      const loop = path.slice(loopStart).sort();
      return { canonicalId: loop[0] ?? current, known: true, path, cycle: true, truncated: false };
    }
    if (path.length > maxHops)
      return { canonicalId: current, known: true, path, cycle: false, truncated: true };
    path.push(next);
  }
}

function lastOf(path: readonly string[]): string {
  const last = path[path.length - 1];
  if (last === undefined) throw new Error('a merge chain walk is never empty');
  return last;
}
