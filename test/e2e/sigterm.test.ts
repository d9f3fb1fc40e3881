/**
 * SIGTERM on a spawned `node --import tsx src/main.ts` loses nothing: the answer comes after the
 * store commit, the process stops gracefully (exit 0) while the receiver is down, and after a
 * restart the message is delivered exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadDefinitions } from '../../src/definitions/load.js';
import { convertIdocs } from '../../src/idoc/codec.js';
import { startFakeSap, type FakeSap } from '../support/fake-sap.js';
import { startFakeWebhook, type FakeWebhook } from '../support/fake-webhook.js';
import { basicAuth, deleteKeys, E2E_ENV, e2eConfig, SAP_IN, uniquePrefix, waitFor } from './helpers.js';
import { seededDataDir } from '../support/pglite-template.js';

const DELVRY07_XML = convertIdocs(
  readFileSync('fixtures/mappings/delvry07-to-wms-delivery-order/whsord-items-hus-serials.input.json'),
  'xml',
  loadDefinitions(),
).output;

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<number | null>;
  output(): string;
}

async function startGateway(configFile: string, env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', configFile], {
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let url = '';
  await waitFor(
    () => {
      const m = /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (m) url = m[1]!;
      if (child.exitCode !== null) throw new Error(`gateway exited early:\n${out}`);
      return url !== '';
    },
    'the gateway to listen',
    60_000,
  );
  return { child, url, exited, output: () => out };
}

let sap: FakeSap;
let wms: FakeWebhook;
let dir: string;
let prefix: string;
let configFile: string;

beforeAll(async () => {
  sap = await startFakeSap();
  wms = await startFakeWebhook({ failFirst: 1_000_000, status: 503 });
  dir = await mkdtemp(join(tmpdir(), 'idocgate-sigterm-'));
  prefix = uniquePrefix('sigterm');
  const config = await e2eConfig(sap, wms, { prefix, dataDir: await seededDataDir(join(dir, 'pglite')) });
  (config.partners.wms as { retry: unknown }).retry = {
    attempts: 100,
    backoff: 100,
    maxBackoff: 300,
    jitter: 0,
  };
  configFile = join(dir, 'config.yaml');
  await writeFile(configFile, stringify(config));
});
afterAll(async () => {
  await sap?.close();
  await wms?.close();
  if (prefix) await deleteKeys(prefix);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('SIGTERM', () => {
  it(
    'stops gracefully with the receiver down and delivers exactly once after a restart',
    { timeout: 120_000 },
    async () => {
      const first = await startGateway(configFile, E2E_ENV(sap));
      const res = await fetch(`${first.url}/sap/idoc-xml`, {
        method: 'POST',
        headers: {
          authorization: basicAuth(SAP_IN.username, SAP_IN.password),
          'content-type': 'application/x-sap.idoc',
        },
        body: DELVRY07_XML,
      });
      expect(res.status).toBe(200);
      await waitFor(() => wms.received.length >= 1, 'a first (failing) delivery attempt');
      first.child.kill('SIGTERM');
      const code = await first.exited;
      if (code !== 0) console.log(first.output());
      expect(code).toBe(0);
      expect(first.output()).toContain('"msg":"stopped"');
      expect(wms.received.every((r) => r.status === 503)).toBe(true);

      wms.setBehaviour({});
      const second = await startGateway(configFile, E2E_ENV(sap));
      try {
        await waitFor(
          () => wms.received.some((r) => r.status === 200),
          'the delivery after the restart',
          30_000,
        );
        // a second message through the same queue: the first cannot be delivered again after it
        const next = DELVRY07_XML.replace('0000000000220931', '0000000000220932').replaceAll(
          '0080001234',
          '0080001235',
        );
        await fetch(`${second.url}/sap/idoc-xml`, {
          method: 'POST',
          headers: {
            authorization: basicAuth(SAP_IN.username, SAP_IN.password),
            'content-type': 'application/xml',
          },
          body: next,
        });
        await waitFor(() => wms.received.filter((r) => r.status === 200).length >= 2, 'the second message');
        const delivered = wms.received.filter(
          (r) => r.status === 200 && r.body.toString('utf8').includes('80001234'),
        );
        expect(delivered).toHaveLength(1);
      } finally {
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
      }
    },
  );
});
