/**
 * The database's identity (table `database_identity`, migration 0045): one id per database, set
 * when the migration ran. The wiring claims the Redis key prefix with it (src/redis/prefix-claim.ts).
 */
import { IdocgateError } from '../../errors.js';
import type { Queryable } from './db.js';

export async function databaseIdentity(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM database_identity');
  const id = rows[0]?.id;
  if (id === undefined) throw new IdocgateError('STORE_QUERY_FAILED', 'database_identity has no row');
  return id;
}
