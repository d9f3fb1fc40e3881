/**
 * The short fault bench in the default suite (`npm run bench:faults` is the long one, see
 * docs/reliability.md): its own redis-server and PostgreSQL on private ports, the gateway split
 * into api / worker / scheduler processes, a small mixed load, three faults — the API killed -9
 * mid-load, the webhook answering 503 on 10 %, SAP dropping the connection after reading the
 * body — each with 0 lost, 0 duplicated and no client holding a 2xx for a message not in the
 * store, counted at the receivers.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HEADER, formatRow, runFaultBench } from '../../bench/faults.bench.js';

const HAVE_SERVERS =
  ['15', '16', '17'].some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/pg_ctl`)) &&
  process.env['PATH']?.split(':').some((d) => existsSync(`${d}/redis-server`)) === true;

describe.skipIf(!HAVE_SERVERS)('faults (short)', () => {
  it('API kill -9, receiver 5xx on 10 %, SAP in doubt: nothing lost, nothing doubled', async () => {
    const rows: string[] = [];
    const results = await runFaultBench({
      count: 120,
      receiverDownMs: 3000,
      only: ['API kill', 'receiver 5xx', 'SAP drops'],
      log: (l) => rows.push(l),
    });
    console.log(`${HEADER}\n${results.map(formatRow).join('\n')}`);
    expect(results.map((r) => r.name)).toHaveLength(3);
    for (const r of results) {
      expect({ name: r.name, acknowledged: r.acknowledged }).toEqual({ name: r.name, acknowledged: r.sent });
      expect({ name: r.name, lost: r.lost, duplicated: r.duplicated, notStored: r.notStored }).toEqual({
        name: r.name,
        lost: 0,
        duplicated: 0,
        notStored: 0,
      });
    }
  }, 240_000);
});
