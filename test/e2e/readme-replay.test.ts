/**
 * The README's replay call, run as written: the `curl … /api/messages/<id>/replay` block is read
 * from README.md, its address pointed at a real gateway (the `npm start` demo with the example
 * config, whose sign-in the call uses) and `<id>` replaced by a dead message's id, then run by a
 * shell. The quick start's delivery went dead (the WMS answered 400); the call replays it with its
 * reason in the audit log, and it is delivered once the WMS takes it.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../src/demo/demo.js';
import { DEMO_SAP_INBOUND } from '../../src/demo/receivers.js';
import { createLogger } from '../../src/wiring/logging.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { captureLogs } from '../api/helpers.js';
import { basicAuth, waitFor } from './helpers.js';

const sh = promisify(execFile);
const README_URL = 'http://127.0.0.1:8080';

/** The README's replay call: the shell block's command holding `/replay`, continuation lines joined. */
export function readmeReplayCall(readme: string): string {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const commands = blocks.flatMap((b) => b.replaceAll(/\\\n\s*/g, '').split('\n'));
  const calls = commands.filter((c) => /^curl .*\/api\/messages\/<id>\/replay\b/.test(c.trim()));
  if (calls.length !== 1) throw new Error(`README.md: expected one replay call, found ${calls.length}`);
  return calls[0]!.trim();
}

/**
 * The README's "Posted, or rejected" block: its curl commands (continuation lines joined) and the
 * `#    -> <status> <code> "<text>"` lines that say what the list shows.
 */
export function readmeSapWord(readme: string): {
  readonly calls: string[];
  readonly shows: { status: string; code: string; text: string }[];
} {
  const section = readme.split(/^### Posted, or rejected/m)[1]?.split(/^#{2,3} /m)[0];
  const block = section !== undefined ? /```sh\n([\s\S]*?)```/.exec(section)?.[1] : undefined;
  if (block === undefined) throw new Error('README.md: no sh block under "### Posted, or rejected"');
  const lines = block.replaceAll(/\\\n\s*/g, '').split('\n');
  const calls = lines.map((l) => l.trim()).filter((l) => l.startsWith('curl '));
  const shows = lines.flatMap((l) => {
    const m = /^#\s+->\s+(\S+)\s+(\d\d)\s+"(.*)"$/.exec(l.trim());
    return m === null ? [] : [{ status: m[1]!, code: m[2]!, text: m[3]! }];
  });
  return { calls, shows };
}

let demo: RunningDemo;

describe("the README's replay call, as written, against the demo gateway", () => {
  beforeAll(async () => {
    demo = await startDemo({
      port: 0,
      env: process.env,
      logger: createLogger({ destination: captureLogs().stream, level: 'warn' }),
      print: () => undefined,
    });
  }, 120_000);
  afterAll(async () => {
    await demo?.close();
  });

  it(
    'replays a dead letter with the reason it gives, and the message is delivered',
    { timeout: 60_000 },
    async () => {
      const call = readmeReplayCall(readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8'));
      expect(call).toContain(README_URL);
      const reason = /"reason":"([^"]+)"/.exec(call)?.[1];
      expect(reason).toBeDefined();

      // the quick start's delivery while the WMS refuses it: a dead letter
      demo.receivers.wms.setBehaviour({ failFirst: 1, status: 400 });
      const posted = await fetch(`${demo.url}/sap/idoc-xml`, {
        method: 'POST',
        headers: {
          authorization: basicAuth(DEMO_SAP_INBOUND.username, DEMO_SAP_INBOUND.password),
          'content-type': 'application/xml',
        },
        body: readFileSync(join(PROJECT_ROOT, 'examples', 'delvry07-desadv-for-wms.xml')),
      });
      expect(posted.status).toBe(200);
      const id = (await demo.app.store.search({ docnum: '0000000000004712' }, { limit: 1 })).items[0]?.id;
      expect(id).toBeDefined();
      const status = async () => (await demo.app.store.get(id!))?.status;
      await waitFor(async () => (await status()) === 'dead', 'the dead letter', 30_000);

      // the WMS is back; the call as the README prints it, at this gateway's address, for this id
      const run = call.replaceAll(README_URL, demo.url).replaceAll('<id>', id!);
      const { stdout } = await sh('sh', ['-c', `${run} -sS -w '\\n%{http_code}'`], { cwd: PROJECT_ROOT });
      const lines = stdout.trim().split('\n');
      expect(lines.pop()).toBe('200');
      expect((JSON.parse(lines.join('\n')) as { message: { id: string } }).message.id).toBe(id);
      await waitFor(async () => (await status()) === 'delivered', 'delivered after the replay', 30_000);
      const audit = await demo.app.store.audit({ messageId: id!, action: 'replay' });
      expect(audit.map((a) => [a.actor, a.reason])).toEqual([['support', reason]]);
    },
  );

  it(
    "the quick start's SAP word, as written: a receipt posted by SAP (53) and one it rejected (51) with SAP's text",
    { timeout: 60_000 },
    async () => {
      const { calls, shows } = readmeSapWord(readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8'));
      expect(calls).toHaveLength(2);
      expect(shows.map((s) => [s.status, s.code])).toEqual([
        ['posted', '53'],
        ['sap-error', '51'],
      ]);
      const run = async (call: string): Promise<{ status: string; body: unknown }> => {
        const { stdout } = await sh(
          'sh',
          ['-c', `${call.replaceAll(README_URL, demo.url)} -sS -w '\\n%{http_code}'`],
          {
            cwd: PROJECT_ROOT,
          },
        );
        const lines = stdout.trim().split('\n');
        const status = lines.pop()!;
        return { status, body: JSON.parse(lines.join('\n')) as unknown };
      };
      // "The receipt above": the banner's handheld line, examples/handheld-receipt.json
      const receipt = await fetch(`${demo.url}/in/handheld-goods-movement`, {
        method: 'POST',
        headers: {
          'x-api-key': 'demo-handheld-key',
          'content-type': 'application/json',
          'idempotency-key': 'readme-sap-word-1',
        },
        body: readFileSync(join(PROJECT_ROOT, 'examples', 'handheld-receipt.json')),
      });
      expect(receipt.status).toBe(202);
      const receiptId = ((await receipt.json()) as { messages: { id: string }[] }).messages[0]!.id;
      // the rejected receipt, posted by the README's first call
      const rejected = await run(calls[0]!);
      expect(rejected.status).toBe('202');
      const rejectedId = (rejected.body as { messages: { id: string }[] }).messages[0]!.id;
      const statusOf = async (id: string) => (await demo.app.store.get(id))?.status;
      await waitFor(
        async () => (await statusOf(receiptId)) === 'posted',
        'the receipt posted by SAP',
        30_000,
      );
      await waitFor(async () => (await statusOf(rejectedId)) === 'sap-error', 'the rejection (51)', 30_000);
      // the README's list query shows both, each with the SAP code and the text it prints
      const list = await run(calls[1]!);
      expect(list.status).toBe('200');
      const items = (
        list.body as { items: { id: string; status: string; sapStatus?: string; statusText?: string }[] }
      ).items;
      for (const [id, show] of [
        [receiptId, shows[0]!],
        [rejectedId, shows[1]!],
      ] as const) {
        const item = items.find((i) => i.id === id);
        expect(item).toMatchObject({ status: show.status, sapStatus: show.code });
        // the README shortens the posted line with "…" (the document number varies)
        const [head] = show.text.split('…');
        const pattern = head!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/4900000000/, '\\d{10}');
        expect(item!.statusText).toMatch(new RegExp(`^${pattern}`));
      }
    },
  );
});
