/**
 * The pushback sweeper's SQL: the lease (one run at a time across processes, works on PGlite and
 * PostgreSQL alike), due deliveries by the partial index on due_at, the decision (CAS on the
 * delivery's version, pushback steps and discrepancy written in the same transaction), the
 * step message ids, and the run log.
 */
import type { AwaitingGoodsIssue, DecideInput, SweeperRunRecord } from '../../ledger/deliveries/port.js';
import { NEVER_DUE } from '../../ledger/deliveries/types.js';
import type { Db } from '../db/db.js';
import { sqlQty, storedState, toPushback } from './rows.js';
import { date, num, optDate, optStr, str } from '../db/columns.js';

export async function acquireLease(
  db: Db,
  name: string,
  holder: string,
  now: Date,
  ttlMs: number,
): Promise<boolean> {
  const { rows } = await db.query(
    `INSERT INTO sweeper_lease (name, holder, expires_at) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
      WHERE sweeper_lease.expires_at <= $4 OR sweeper_lease.holder = excluded.holder
     RETURNING holder`,
    [name, holder, new Date(now.getTime() + ttlMs), now],
  );
  return rows.length > 0;
}

export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.query('DELETE FROM sweeper_lease WHERE name = $1 AND holder = $2', [name, holder]);
}

export async function setting(db: Db, name: string): Promise<string | null> {
  const { rows } = await db.query('SELECT value FROM sweeper_settings WHERE name = $1', [name]);
  return rows[0] === undefined ? null : str(rows[0], 'value');
}

async function saveSetting(q: Pick<Db, 'query'>, name: string, value: string): Promise<void> {
  await q.query(
    `INSERT INTO sweeper_settings (name, value) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
    [name, value],
  );
}

export { saveSetting };

/**
 * due_at = ACTUAL goods issue + grace of the destination site (null grace or no goods issue yet:
 * never due); planned_due_at = planned goods issue + grace (null when either is missing). For
 * every delivery not received yet (announced, picked, open, partial).
 */
export async function realignDue(
  db: Db,
  graceBySite: ReadonlyMap<string, number | null>,
  defaultGraceMs: number | null,
  marker: { readonly name: string; readonly value: string },
): Promise<number> {
  return db.transaction(async (tx) => {
    const set = `due_at = CASE WHEN $1::double precision IS NULL OR goods_issue_at IS NULL THEN $2::timestamptz
                          ELSE goods_issue_at + make_interval(secs => $1::double precision) END,
                 planned_due_at = CASE WHEN $1::double precision IS NULL OR planned_goods_issue_at IS NULL THEN NULL
                          ELSE planned_goods_issue_at + make_interval(secs => $1::double precision) END`;
    const waiting = `state IN ('announced', 'picked', 'open', 'partial')`;
    let changed = 0;
    for (const [site, grace] of graceBySite) {
      const { rows } = await tx.query(
        `UPDATE delivery_ledger SET ${set} WHERE ${waiting} AND dest_site = $3 RETURNING 1`,
        [grace === null ? null : grace / 1000, NEVER_DUE, site],
      );
      changed += rows.length;
    }
    const { rows } = await tx.query(
      `UPDATE delivery_ledger SET ${set} WHERE ${waiting} AND NOT (dest_site = ANY($3::text[])) RETURNING 1`,
      [defaultGraceMs === null ? null : defaultGraceMs / 1000, NEVER_DUE, [...graceBySite.keys()]],
    );
    changed += rows.length;
    await saveSetting(tx, marker.name, marker.value);
    return changed;
  });
}

/** Deliveries not received yet and never goods-issued whose planned goods issue + grace has passed. */
export async function awaitingGoodsIssue(db: Db, now: Date, limit: number): Promise<AwaitingGoodsIssue[]> {
  const { rows } = await db.query(
    `SELECT delivery, state, dest_site, planned_goods_issue_at, planned_due_at FROM delivery_ledger
      WHERE goods_issue_at IS NULL AND planned_due_at <= $1
        AND state IN ('announced', 'picked', 'open', 'partial')
      ORDER BY planned_due_at, delivery LIMIT $2`,
    [now, limit],
  );
  return rows.map((r) => ({
    delivery: str(r, 'delivery'),
    state: storedState(r),
    destinationSite: str(r, 'dest_site'),
    plannedGoodsIssueAt: optDate(r, 'planned_goods_issue_at'),
    plannedDueAt: date(r, 'planned_due_at'),
  }));
}

export async function dueDeliveries(
  db: Db,
  now: Date,
  limit: number,
  after?: { readonly dueAt: Date; readonly delivery: string },
): Promise<{ delivery: string; dueAt: Date }[]> {
  const { rows } = await db.query(
    `SELECT delivery, due_at FROM delivery_ledger
      WHERE state IN ('open', 'partial') AND due_at <= $1
        AND ($3::timestamptz IS NULL OR (due_at, delivery) > ($3::timestamptz, $4::text))
      ORDER BY due_at, delivery
      LIMIT $2`,
    [now, limit, after?.dueAt ?? null, after?.delivery ?? null],
  );
  return rows.map((r) => ({ delivery: str(r, 'delivery'), dueAt: date(r, 'due_at') }));
}

export async function unfinishedPushbacks(db: Db, limit: number): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT delivery FROM delivery_ledger WHERE state = 'pushing-back' ORDER BY due_at, delivery LIMIT $1`,
    [limit],
  );
  return rows.map((r) => str(r, 'delivery'));
}

export async function decide(db: Db, input: DecideInput): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query(
      'SELECT state, version FROM delivery_ledger WHERE delivery = $1 FOR UPDATE',
      [input.delivery],
    );
    const row = rows[0];
    if (row === undefined || num(row, 'version') !== input.basedOnVersion) return false;
    const state = storedState(row);
    if (state !== 'open' && state !== 'partial') return false;
    if (input.pushback === null) {
      await tx.query(
        `UPDATE delivery_ledger SET state = 'closed', updated_at = $2, version = version + 1 WHERE delivery = $1`,
        [input.delivery, input.now],
      );
      return true;
    }
    const d = input.pushback.discrepancy;
    await tx.query(
      `INSERT INTO delivery_pushbacks (delivery, run_id, decided_at, steps) VALUES ($1, $2, $3, $4::text::jsonb)`,
      [input.delivery, input.runId, input.now, JSON.stringify(input.pushback.steps)],
    );
    await tx.query(
      `INSERT INTO delivery_discrepancies (delivery, origin_site, dest_site, missing_qty, missing_serials, items,
              resolution, created_at)
       VALUES ($1, $2, $3, $4::numeric, $5, $6::text::jsonb, $8, $7)`,
      [
        d.delivery,
        d.originSite,
        d.destinationSite,
        sqlQty(Math.round(d.missingQuantity * 1000)),
        d.missingSerials,
        JSON.stringify(d.items),
        input.now,
        d.resolution,
      ],
    );
    await tx.query(
      `UPDATE delivery_ledger SET state = 'pushing-back', updated_at = $2, version = version + 1 WHERE delivery = $1`,
      [input.delivery, input.now],
    );
    return true;
  });
}

export async function completePushback(
  db: Db,
  delivery: string,
  messageIds: Readonly<Record<string, string>>,
  now: Date,
): Promise<void> {
  await db.transaction(async (tx) => {
    const { rows } = await tx.query('SELECT * FROM delivery_pushbacks WHERE delivery = $1 FOR UPDATE', [
      delivery,
    ]);
    const row = rows[0];
    if (row === undefined) return;
    const steps = toPushback(row).steps.map((s) => ({ ...s, messageId: messageIds[s.name] ?? s.messageId }));
    await tx.query(
      `UPDATE delivery_pushbacks SET steps = $2::text::jsonb, completed_at = COALESCE(completed_at, $3) WHERE delivery = $1`,
      [delivery, JSON.stringify(steps), now],
    );
    await tx.query(
      `UPDATE delivery_ledger SET state = 'pushed-back', updated_at = $2, version = version + 1
        WHERE delivery = $1 AND state = 'pushing-back'`,
      [delivery, now],
    );
  });
}

export async function startRun(db: Db, id: string, now: Date): Promise<void> {
  await db.query('INSERT INTO sweeper_runs (id, started_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [
    id,
    now,
  ]);
}

export async function finishRun(
  db: Db,
  id: string,
  now: Date,
  r: Omit<SweeperRunRecord, 'id' | 'startedAt' | 'finishedAt'>,
): Promise<void> {
  await db.query(
    `UPDATE sweeper_runs SET finished_at = $2, outcome = $3, scanned = $4, pushed_back = $5, postings = $6,
            closed = $7, error = $8 WHERE id = $1`,
    [id, now, r.outcome, r.scanned, r.pushedBack, r.postings, r.closed, r.error],
  );
}

export async function lastRuns(db: Db, limit: number): Promise<SweeperRunRecord[]> {
  const { rows } = await db.query('SELECT * FROM sweeper_runs ORDER BY started_at DESC, id DESC LIMIT $1', [
    limit,
  ]);
  return rows.map((r) => ({
    id: str(r, 'id'),
    startedAt: date(r, 'started_at'),
    finishedAt: optDate(r, 'finished_at'),
    outcome: optStr(r, 'outcome'),
    scanned: num(r, 'scanned'),
    pushedBack: num(r, 'pushed_back'),
    postings: num(r, 'postings'),
    closed: num(r, 'closed'),
    error: optStr(r, 'error'),
  }));
}
