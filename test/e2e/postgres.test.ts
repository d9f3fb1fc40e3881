/** The two end-to-end flows on real PostgreSQL (a schema of its own), skipped when it does not answer. */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { convertIdocs } from '../../src/idoc/codec.js';
import { PG_URL, POSTGRES_AVAILABLE } from '../store/backends.js';
import { basicAuth, KEYS, SAP_IN, startE2E, waitFor, type E2E } from './helpers.js';

const schema = `t_e2e_pg_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
let e: E2E | undefined;

beforeAll(async () => {
  if (POSTGRES_AVAILABLE) e = await startE2E('pg', { databaseUrl: PG_URL, schema, poolSize: 10 });
});
afterAll(async () => {
  await e?.close();
  if (!POSTGRES_AVAILABLE) return;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
});

describe.skipIf(!POSTGRES_AVAILABLE)('end to end on PostgreSQL', () => {
  it('delivers SAP DELVRY07 to the WMS and a handheld scan to SAP, each once', async () => {
    const g = e!;
    const xml = convertIdocs(
      readFileSync('fixtures/mappings/delvry07-to-wms-delivery-order/whsord-items-hus-serials.input.json'),
      'xml',
      loadDefinitions(),
    ).output;
    const a = await fetch(`${g.url}/sap/idoc-xml`, {
      method: 'POST',
      headers: { authorization: basicAuth(SAP_IN.username, SAP_IN.password), 'content-type': 'text/xml' },
      body: xml,
    });
    expect(a.status).toBe(200);
    const scan = readFileSync(
      'fixtures/mappings/handheld-to-mbgmcr03/receipt-delivery-serials.input.json',
      'utf8',
    );
    const b = await fetch(`${g.url}/in/handheld-goods-movement`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${KEYS.handheld}`,
        'content-type': 'application/json',
        'idempotency-key': 'pg-1',
      },
      body: scan,
    });
    expect(b.status).toBe(202);
    await waitFor(() => g.wms.received.length >= 1 && g.sap.received.length >= 1, 'both deliveries');
    expect(g.wms.received).toHaveLength(1);
    expect(g.sap.received).toHaveLength(1);
    expect(g.app.store.db.kind).toBe('postgres');
  });
});
