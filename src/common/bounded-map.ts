/**
 * Stores `value` under `key` as the map's newest entry, then drops entries from the oldest end:
 * those `stale` says are done with, and any beyond `max`. Maps iterate in insertion order, so a map
 * written only through here is ordered from least to most recently stored.
 */
export function rememberNewest<K, V>(
  map: Map<K, V>,
  key: K,
  value: V,
  bounds: { max: number; stale?: (value: V) => boolean },
): void {
  map.delete(key);
  map.set(key, value);
  for (const [oldest, stored] of map) {
    if (map.size <= bounds.max && !bounds.stale?.(stored)) return;
    map.delete(oldest);
  }
}
