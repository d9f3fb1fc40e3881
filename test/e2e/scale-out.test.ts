/**
 * Scale-out (docs/scaling.md): one API process and two worker processes (`src/main.ts --role`)
 * against one PostgreSQL (a schema of its own) and one Redis (a prefix of its own). Every
 * message is delivered exactly once, and the messages of one ordering key (the delivery) reach
 * the WMS in the order they were received, while the keys run in parallel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadDefinitions } from '../../src/definitions/load.js';
import { convertIdocs } from '../../src/idoc/codec.js';
import { PG_URL, POSTGRES_AVAILABLE } from '../store/backends.js';
import { startFakeSap, type FakeSap } from '../support/fake-sap.js';
import { startFakeWebhook, type FakeWebhook } from '../support/fake-webhook.js';
import { basicAuth, deleteKeys, E2E_ENV, e2eConfig, SAP_IN, uniquePrefix, waitFor } from './helpers.js';

const DELVRY07_XML = convertIdocs(
  readFileSync('fixtures/mappings/delvry07-to-wms-delivery-order/whsord-items-hus-serials.input.json'),
  'xml',
  loadDefinitions(),
).output;
const KEYS = 4;
const PER_KEY = 6;
const schema = `t_wt_thru_scale_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
}

function start(configFile: string, role: string, env: Record<string, string>): Running {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', '--config', configFile, '--role', role],
    { env: { ...process.env, ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

let sap: FakeSap;
let wms: FakeWebhook;
let dir: string;
let prefix: string;
let configFile: string;
const running: Running[] = [];

beforeAll(async () => {
  if (!POSTGRES_AVAILABLE) return;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`CREATE SCHEMA ${schema}`);
  await c.end();
  sap = await startFakeSap();
  wms = await startFakeWebhook();
  dir = await mkdtemp(join(tmpdir(), 'idocgate-scale-'));
  prefix = uniquePrefix('wt_thru-scale');
  const config = await e2eConfig(sap, wms, { prefix });
  const receives = config.partners.wms.receives[0] as Record<string, unknown>;
  receives['orderingKey'] = 'delivery';
  configFile = join(dir, 'config.yaml');
  await writeFile(configFile, stringify(config));
});
afterAll(async () => {
  for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await sap?.close();
  await wms?.close();
  if (prefix) await deleteKeys(prefix);
  if (dir) await rm(dir, { recursive: true, force: true });
  if (!POSTGRES_AVAILABLE) return;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
});

describe.skipIf(!POSTGRES_AVAILABLE)('one API and two worker processes', () => {
  it('deliver every message once, in receipt order per ordering key', { timeout: 150_000 }, async () => {
    const env = {
      ...E2E_ENV(sap),
      DATABASE_URL: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    };
    const api = start(configFile, 'api', env);
    running.push(api);
    let url = '';
    await waitFor(
      () => {
        const m = /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(api.output());
        if (m) url = m[1]!;
        if (api.child.exitCode !== null) throw new Error(`the API exited early:\n${api.output()}`);
        return url !== '';
      },
      'the API to listen',
      60_000,
    );
    running.push(start(configFile, 'worker,scheduler', env), start(configFile, 'worker', env));

    // Per key, the messages are posted one after the other (receipt order); keys in parallel.
    const idsByKey: string[][] = await Promise.all(
      Array.from({ length: KEYS }, async (_, k) => {
        const ids: string[] = [];
        for (let r = 0; r < PER_KEY; r++) {
          const docnum = `77${String(k * 100 + r).padStart(14, '0')}`;
          const body = DELVRY07_XML.replace('0000000000220931', docnum).replaceAll(
            '0080001234',
            `00805${String(k).padStart(5, '0')}`,
          );
          const res = await fetch(`${url}/sap/idoc-xml`, {
            method: 'POST',
            headers: {
              authorization: basicAuth(SAP_IN.username, SAP_IN.password),
              'content-type': 'application/xml',
              accept: 'application/json',
            },
            body,
          });
          const json = (await res.json()) as { messages: { id: string }[] };
          expect(res.status, JSON.stringify(json)).toBe(200);
          ids.push(json.messages[0]!.id);
        }
        return ids;
      }),
    );
    const all = idsByKey.flat();
    await waitFor(
      () => all.every((id) => wms.deliveredKeys.has(id)),
      `all ${all.length} deliveries (${wms.deliveredKeys.size} so far)`,
      120_000,
    );
    await new Promise((r) => setTimeout(r, 500)); // a late duplicate would show now
    const ok = wms.received.filter((x) => x.status === 200).map((x) => String(x.headers['idempotency-key']));
    for (const id of all) expect(ok.filter((k) => k === id)).toHaveLength(1);
    for (const ids of idsByKey) expect(ok.filter((k) => ids.includes(k))).toEqual(ids);

    for (const r of running) r.child.kill('SIGTERM');
    const codes = await Promise.all(running.map((r) => r.exited));
    expect(codes, running.map((r) => r.output()).join('\n')).toEqual([0, 0, 0]);
  });
});
