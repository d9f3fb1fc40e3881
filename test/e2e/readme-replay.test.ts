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
});
