/**
 * Deletes a map's first entries until it holds at most `max`. Maps iterate in insertion order, so
 * a map whose updates delete and re-set their key drops its least recently updated entries.
 */
export function trimOldest<K, V>(map: Map<K, V>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}
