/**
 * Message store benchmark (standalone: `node --import tsx bench/store.bench.ts [count] [pglite|postgres]`).
 *
 * Stores `count` (default 2 000) DELVRY07-like messages (6 KB raw XML, parsed JSON, 100 serial
 * numbers + delivery/plant keys each) and measures, per backend:
 *   - receive: messages/s one at a time, and with 16 in parallel (PostgreSQL only: PGlite is one
 *     connection, so parallel receives queue up behind each other)
 *   - the pipeline's status walk per message (markQueued, claim, attempt, delivered): messages/s
 *   - look-ups: by serial, by delivery, free text, and a first page with counts per status (ms each)
 * PostgreSQL is DATABASE_URL or postgres://postgres@127.0.0.1:5432/test, in a throw-away schema.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { ReceiveInput } from '../src/pipeline/store-port.js';
import { openStore, type OpenedStore } from '../src/store/open-store.js';

const COUNT = Number(process.argv[2] ?? 2000);
const ONLY = process.argv[3];
const PG_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

function input(n: number): ReceiveInput {
  const serials = Array.from({ length: 100 }, (_, i) => `SN${n}-${i}`);
  const delivery = String(80_000_000 + n).padStart(10, '0');
  const raw = `<DELVRY07><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1"><DOCNUM>${n}</DOCNUM></EDI_DC40>${serials
    .map((s) => `<E1EDL11 SEGMENT="1"><SERNR>${s}</SERNR></E1EDL11>`)
    .join('')}</IDOC></DELVRY07>`;
  return {
    direction: 'in',
    partner: `P${n % 5}`,
    channel: 'http',
    idocType: 'DELVRY07',
    messageType: 'SHPORD',
    docnum: String(n),
    sender: { prt: 'LS', prn: 'Q01CLNT100' },
    orderingKey: `D${n % 50}`,
    raw: { format: 'xml', content: raw },
    parsed: { format: 'json', content: JSON.stringify({ delivery, serials }) },
    searchKeys: [
      { kind: 'delivery', value: delivery },
      { kind: 'plant', value: '1000' },
      ...serials.map((value) => ({ kind: 'serial', value })),
    ],
    text: `ship-to dock ${n % 7} carrier DHL`,
    by: 'bench',
  };
}

async function timed(label: string, n: number, unit: string, fn: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  const rate = unit === 'ms' ? `${(ms / n).toFixed(2)} ms each` : `${Math.round((n * 1000) / ms)} ${unit}`;
  console.log(`  ${label.padEnd(44)} ${rate}`);
}

async function run(name: string, store: OpenedStore): Promise<void> {
  console.log(`${name}: ${COUNT} messages`);
  const ids: string[] = [];
  const half = Math.floor(COUNT / 2);
  await timed('receive, one at a time', half, 'msg/s', async () => {
    for (let i = 0; i < half; i++) ids.push((await store.receive(input(i))).message.id);
  });
  await timed('receive, 16 in parallel', COUNT - half, 'msg/s', async () => {
    let next = half;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < COUNT) {
          const i = next++;
          ids.push((await store.receive(input(i))).message.id);
        }
      }),
    );
  });
  const walk = ids.slice(0, Math.min(500, ids.length));
  await timed('status walk (queue, claim, attempt, deliver)', walk.length, 'msg/s', async () => {
    for (const id of walk) {
      await store.markQueued(id, `job-${id}`);
      await store.transition(id, 'processing', { by: 'w', expectFrom: 'queued' });
      await store.recordAttempt(id, { transport: 'bench', outcome: 'ok', durationMs: 1 });
      await store.transition(id, 'delivered', { by: 'w', expectFrom: 'processing' });
    }
  });
  const probes = 200;
  await timed('search by serial', probes, 'ms', async () => {
    for (let i = 0; i < probes; i++)
      await store.search({ serial: `SN${(i * 7) % COUNT}-42` }, { withCounts: false });
  });
  await timed('search by delivery', probes, 'ms', async () => {
    for (let i = 0; i < probes; i++) {
      await store.search({ key: { kind: 'delivery', value: String(80_000_000 + i).padStart(10, '0') } });
    }
  });
  await timed('free text (2 words), first page of 50', 50, 'ms', async () => {
    for (let i = 0; i < 50; i++) await store.search({ text: `dock ${i % 7}` }, { withCounts: false });
  });
  await timed('partner page of 50 + counts per status', 50, 'ms', async () => {
    for (let i = 0; i < 50; i++) await store.search({ partner: `P${i % 5}` });
  });
}

if (ONLY !== 'postgres') {
  const dir = await mkdtemp(join(tmpdir(), 'idocgate-bench-'));
  const store = await openStore({ dataDir: dir });
  try {
    await run('PGlite', store);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
if (ONLY !== 'pglite') {
  const schema = `bench_${process.pid}`;
  const store = await openStore({ databaseUrl: PG_URL, schema, poolSize: 16 });
  try {
    await run('PostgreSQL', store);
  } finally {
    await store.close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}
