import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readDirectory, requeueProcessing, type ClaimedFile } from '../../src/transports/file-inbound.js';
import { renderFileName, TEMP_PREFIX } from '../../src/transports/file.js';
import { createTransport } from '../../src/transports/registry.js';
import { steppingClock } from './contract.js';
import { xmlDelivery } from './payloads.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'idocgate-file-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

async function collect(it: AsyncIterable<ClaimedFile>): Promise<ClaimedFile[]> {
  const out: ClaimedFile[] = [];
  for await (const f of it) out.push(f);
  return out;
}

describe('renderFileName', () => {
  it('fills control fields, message id and partner, making values file-name safe', () => {
    const d = { ...xmlDelivery(5), partner: 'wms/eu west' };
    expect(renderFileName('{DOCNUM}_{MESTYP}.xml', d)).toBe('0000000000000005_WHSCON.xml');
    expect(renderFileName('{PARTNER}-{MESSAGE_ID}.xml', d)).toBe('wms_eu_west-msg-xml-5.xml');
  });

  it('names every missing value', () => {
    expect(() => renderFileName('{DOCNUM}_{SNDPRN}_{RCVPRN}.xml', xmlDelivery(1))).toThrow(
      /\{SNDPRN\}, \{RCVPRN\}/,
    );
  });
});

describe('file transport', () => {
  const make = (dir: string, extra: Record<string, unknown> = {}) =>
    createTransport('file', { dir, ...extra }, { clock: steppingClock() });

  it('writes atomically to the final name, leaving no temp file', async () => {
    const out = path.join(root, 'out');
    const t = await make(out);
    const d = xmlDelivery(1);
    const receipt = await t.send(d);
    expect(receipt.remoteReference).toBe(path.join(out, '0000000000000001_WHSCON.xml'));
    expect(readFileSync(receipt.remoteReference!, 'utf8')).toBe(d.body);
    expect(readdirSync(out)).toEqual(['0000000000000001_WHSCON.xml']);
  });

  it('same name twice: equal content is an idempotent success, different content a permanent conflict', async () => {
    const t = await make(root);
    const d = xmlDelivery(2);
    await t.send(d);
    expect(await t.send(d)).toMatchObject({ duplicate: true });
    const err = await t.send({ ...d, body: `${d.body as string} ` }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRANSPORT_FILE_CONFLICT', verdict: 'permanent' });
    expect(readFileSync(path.join(root, '0000000000000002_WHSCON.xml'), 'utf8')).toBe(d.body);
    expect(readdirSync(root).filter((n) => n.startsWith(TEMP_PREFIX))).toEqual([]);
  });

  it('writing into a path that is a file is permanent', async () => {
    writeFileSync(path.join(root, 'blocker'), 'x');
    const t = await make(path.join(root, 'blocker', 'out'), { createDir: false });
    const err = await t.send(xmlDelivery(3)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRANSPORT_FILE_REJECTED', verdict: 'permanent' });
  });

  it('concurrent sends of different messages all land', async () => {
    const t = await make(root, { fsync: false });
    await Promise.all(Array.from({ length: 40 }, (_, i) => t.send(xmlDelivery(100 + i))));
    expect(readdirSync(root)).toHaveLength(40);
  });
});

describe('readDirectory (file port inbound)', () => {
  it('claims matching files into the processing folder and archives them when done', async () => {
    writeFileSync(path.join(root, 'b.xml'), 'B');
    writeFileSync(path.join(root, 'a.xml'), 'A');
    writeFileSync(path.join(root, 'c.txt'), 'C');
    const archive = path.join(root, 'archive');
    const files = await collect(readDirectory(root, { pattern: '*.xml', archiveDir: archive, once: true }));
    expect(files.map((f) => f.name)).toEqual(['a.xml', 'b.xml']);
    expect(files[0]!.path).toContain(`${path.sep}.processing${path.sep}`);
    expect((await files[0]!.read()).toString()).toBe('A');
    expect(existsSync(path.join(root, 'a.xml'))).toBe(false);
    await files[0]!.done();
    // A second file with the same name is archived beside the first, never over it.
    writeFileSync(path.join(root, 'a.xml'), 'A2');
    const again = await collect(
      readDirectory(root, { pattern: /^a\.xml$/, archiveDir: archive, once: true }),
    );
    await again[0]!.done();
    expect(readdirSync(archive).sort()).toEqual(['a.xml', 'a.xml.1']);
    expect(readFileSync(path.join(archive, 'a.xml'), 'utf8')).toBe('A');
    await files[1]!.fail();
    expect(readdirSync(path.join(root, '.error'))).toEqual(['b.xml']);
    expect(readdirSync(root).sort()).toEqual(['.error', '.processing', 'archive', 'c.txt']);
  });

  it('never picks up a temp file left by a crash between temp write and rename', async () => {
    // What the file transport leaves behind when the process dies after writing the temp file.
    writeFileSync(
      path.join(root, `${TEMP_PREFIX}0000000000000009_WHSCON.xml.a1b2c3d4e5f6`),
      '<DELVRY07><IDO',
    );
    writeFileSync(path.join(root, '0000000000000008_WHSCON.xml'), '<complete/>');
    const files = await collect(readDirectory(root, { once: true }));
    expect(files.map((f) => f.name)).toEqual(['0000000000000008_WHSCON.xml']);
  });

  it('two pollers never claim the same file', async () => {
    for (let i = 0; i < 60; i++)
      writeFileSync(path.join(root, `f${String(i).padStart(3, '0')}.xml`), String(i));
    const [a, b] = await Promise.all([
      collect(readDirectory(root, { once: true })),
      collect(readDirectory(root, { once: true })),
    ]);
    const names = [...a, ...b].map((f) => f.name);
    expect(names).toHaveLength(60);
    expect(new Set(names).size).toBe(60);
  });

  it('polls with the injected sleep until aborted', async () => {
    const controller = new AbortController();
    let sleeps = 0;
    const seen: string[] = [];
    const sleep = async (): Promise<void> => {
      sleeps++;
      if (sleeps === 1) writeFileSync(path.join(root, 'late.xml'), 'L');
      if (sleeps === 2) controller.abort();
    };
    for await (const f of readDirectory(root, { signal: controller.signal, sleep })) {
      seen.push(f.name);
      await f.done();
    }
    expect(seen).toEqual(['late.xml']);
    expect(sleeps).toBe(2);
  });

  it('release gives a file back; requeueProcessing recovers files a crashed poller held', async () => {
    writeFileSync(path.join(root, 'x.xml'), 'X');
    writeFileSync(path.join(root, 'y.xml'), 'Y');
    const [x, y] = await collect(readDirectory(root, { once: true }));
    await x!.release();
    expect(readFileSync(path.join(root, 'x.xml'), 'utf8')).toBe('X');
    // y is still in .processing, as after a crash.
    expect(y!.path.startsWith(path.join(root, '.processing'))).toBe(true);
    const moved = await requeueProcessing(root);
    expect(moved).toEqual([path.join(root, 'y.xml')]);
    expect(readdirSync(path.join(root, '.processing'))).toEqual([]);
  });

  it('a missing directory is reported as a transient file error', async () => {
    mkdirSync(path.join(root, 'proc'));
    const err = await collect(
      readDirectory(path.join(root, 'missing'), { once: true, processingDir: path.join(root, 'proc') }),
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRANSPORT_FILE_IO', verdict: 'transient' });
  });
});
