// Deterministic slicing of a sweep into shards, so that `--shard i/n` for i = 0..n-1 together run
// every unit exactly once: by index (unit k belongs to shard k mod n) or by static expected cost.

import { ConfigError } from '../config/resolve';

export interface Shard {
  index: number;
  count: number;
}

/** Parses `i/n` (0 <= i < n); null/undefined means "everything". */
export function parseShard(text: string | null | undefined): Shard | null {
  if (text === null || text === undefined) return null;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new ConfigError(`--shard ${text}: expected i/n with 0 <= i < n, e.g. --shard 0/4`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) {
    throw new ConfigError(
      `--shard ${text}: need n >= 1 and 0 <= i < n (i is 0-based: 0/${Math.max(count, 1)} .. ${Math.max(count, 1) - 1}/${Math.max(count, 1)})`,
    );
  }
  return { index, count };
}

/** Whether unit number `k` (0-based position in the sweep's unit list) belongs to `shard`. */
export function ownsUnit(shard: Shard | null, k: number): boolean {
  return shard === null || k % shard.count === shard.index;
}

/** The units of `keys` that `shard` runs, in order. */
export function shardSlice<T>(shard: Shard | null, keys: readonly T[]): T[] {
  return keys.filter((_, k) => ownsUnit(shard, k));
}

export function formatShard(shard: Shard | null): string {
  return shard ? `${shard.index}/${shard.count}` : 'all';
}

/**
 * The units of `units` that `shard` runs when the sweep is split by expected cost instead of by
 * index: group by group (e.g. task by task), the heaviest unit first goes to the shard with the
 * least total weight so far (ties: the lower shard index, then plan order). Shards then finish at
 * about the same time and reach each group together. The assignment depends on the plan and the
 * static weights only, never on timings, so separate processes agree on it. Returned in plan order.
 */
export function balancedSlice<T>(
  shard: Shard | null,
  units: readonly T[],
  weight: (u: T) => number,
  group: (u: T) => string,
): T[] {
  if (shard === null) return [...units];
  const load = new Array<number>(shard.count).fill(0);
  const owner = new Array<number>(units.length);
  const groups = [...new Set(units.map(group))];
  for (const g of groups) {
    const members = units
      .map((u, k) => ({ k, w: weight(u) }))
      .filter(({ k }) => group(units[k]!) === g)
      .sort((a, b) => b.w - a.w || a.k - b.k);
    for (const { k, w } of members) {
      const target = load.indexOf(Math.min(...load));
      owner[k] = target;
      load[target]! += w;
    }
  }
  return units.filter((_, k) => owner[k] === shard.index);
}
