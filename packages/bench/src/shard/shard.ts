// Deterministic slicing of a sweep into shards: unit k of the ordered unit list belongs to shard
// k mod n, so `--shard i/n` for i = 0..n-1 together run every unit exactly once.

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
