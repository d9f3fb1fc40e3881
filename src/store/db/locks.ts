/** Advisory lock name spaces (first int of pg_advisory_xact_lock(int, int)). */
export const ADVISORY_MIGRATIONS = 0x1d0c;
/** Serializes receipts per ordering key so receipt order equals commit order within a key. */
export const ADVISORY_ORDERING = 0x1d0d;

/** A stable signed 32-bit key for a name (FNV-1a). */
export function lockKey(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
