/**
 * Outbound webhook packets (docs/transports.md "Webhook packets"): a partner route with
 * `packSize` > 1 gets several messages as one JSON array per call and answers one result per
 * message. Over real HTTP (a receiver on 127.0.0.1 that answers per element), the real store,
 * BullMQ on Redis: every message ends with its own outcome — delivered once, retried on its own,
 * dead when rejected — and a failed call sends each message again, none twice delivered.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PACKET_IDS_HEADER } from '../../src/transports/webhook.js';
import { delvry07Xml, startHarness, type Harness } from './harness.js';

interface Seen {
  readonly ids: readonly string[];
  readonly array: boolean;
  readonly deliveries: readonly string[];
  readonly status: number;
  readonly answer: readonly string[];
}

/** A WMS that takes JSON arrays: `...99` is rejected, `...98` is asked again once, the rest taken. */
async function startPacketWms(options: { failFirstArrays?: number } = {}): Promise<{
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}> {
  const seen: Seen[] = [];
  const retried = new Set<string>();
  let failures = options.failFirstArrays ?? 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      const array = Array.isArray(body);
      const items = (array ? body : [body]) as { delivery?: string }[];
      const header = req.headers[PACKET_IDS_HEADER];
      const ids = array ? String(header).split(',') : [String(req.headers['idempotency-key'] ?? '')];
      const deliveries = items.map((x) => x.delivery ?? '?');
      if (array && failures > 0) {
        failures--;
        seen.push({ ids, array, deliveries, status: 503, answer: [] });
        res.writeHead(503).end('busy');
        return;
      }
      const answer = deliveries.map((d) => {
        if (d.endsWith('99')) return 'rejected';
        if (d.endsWith('98') && !retried.has(d)) {
          retried.add(d);
          return 'retry';
        }
        return 'ok';
      });
      seen.push({ ids, array, deliveries, status: 200, answer });
      res.writeHead(200, { 'content-type': 'application/json' });
      if (!array) res.end(JSON.stringify(answer[0] === 'ok' ? { ok: true } : { error: answer[0] }));
      else
        res.end(
          JSON.stringify(
            answer.map((status, i) =>
              status === 'ok'
                ? { id: ids[i], status }
                : { id: ids[i], status, message: `plant unknown (${deliveries[i]})` },
            ),
          ),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/wms`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const fromSap = { kind: 'port', name: 'sap' } as const;
const WAIT = { timeout: 30_000, interval: 100 };

let h: Harness | undefined;
let wms: Awaited<ReturnType<typeof startPacketWms>> | undefined;
afterEach(async () => {
  await h?.close();
  await wms?.close();
  h = undefined;
  wms = undefined;
});

async function ingestAll(harness: Harness, base: number, deliveries: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, d] of deliveries.entries()) {
    const r = await harness.runtime.ingest({
      channel: 'sap-xml-http',
      principal: fromSap,
      body: delvry07Xml(String(base + i), d),
    });
    ids.push(r.messages[0]!.id);
  }
  return ids;
}

describe('webhook packets (partners.<name>.receives[].packSize)', () => {
  it('sends ready messages as JSON arrays and keeps each message its own outcome', async () => {
    wms = await startPacketWms();
    h = await startHarness({
      label: 'whpacket',
      wmsPackSize: 10,
      wmsUrl: wms.url,
      retry: { attempts: 3, backoff: 50, maxBackoff: 200, jitter: 0 },
    });
    const deliveries = Array.from({ length: 18 }, (_, i) => `00800070${String(i + 10)}`);
    deliveries.push('0080007098', '0080007099');
    // Stored and queued while no worker runs, so the first workers find a backlog to pack.
    const ids = await ingestAll(h, 930_000, deliveries);
    await h.startWorkers();
    const status = async (id: string): Promise<string | undefined> => (await h!.store.get(id))?.status;
    await vi.waitFor(async () => {
      const all = await Promise.all(ids.map(status));
      expect(all.filter((s) => s === 'delivered' || s === 'dead')).toHaveLength(ids.length);
    }, WAIT);

    const arrays = wms.seen.filter((s) => s.array);
    expect(arrays.length).toBeGreaterThan(0);
    expect(Math.max(...arrays.map((s) => s.ids.length))).toBeGreaterThan(2);
    expect(wms.seen.length).toBeLessThan(ids.length); // fewer calls than messages
    for (const s of arrays) {
      expect(s.ids).toHaveLength(s.deliveries.length);
      expect(s.ids.every((id) => ids.includes(id))).toBe(true);
    }
    // Every message taken exactly once ("ok" once), except the rejected one.
    const okCount = new Map<string, number>();
    for (const s of wms.seen)
      s.ids.forEach((id, i) => s.answer[i] === 'ok' && okCount.set(id, (okCount.get(id) ?? 0) + 1));
    const rejected = ids[ids.length - 1]!;
    const retried = ids[ids.length - 2]!;
    for (const id of ids) expect(okCount.get(id) ?? 0).toBe(id === rejected ? 0 : 1);

    expect(await status(rejected)).toBe('dead');
    const dead = await h.store.get(rejected);
    expect(dead?.lastError?.code).toBe('TRANSPORT_PACKET_ITEM_REJECTED');
    expect(dead?.lastError?.text).toContain('plant unknown');
    expect(await status(retried)).toBe('delivered');
    const attempts = await h.store.attempts(retried);
    expect(attempts.map((a) => [a.outcome, a.errorCode])).toEqual([
      ['error', 'TRANSPORT_PACKET_ITEM_FAILED'],
      ['ok', null],
    ]);
    for (const id of ids.slice(0, 18)) {
      expect(await h.store.attempts(id)).toHaveLength(1);
      expect((await h.store.history(id)).at(-1)?.to).toBe('delivered');
    }
  }, 60_000);

  it('a packet call that failed as a whole goes again, and no message is taken twice', async () => {
    wms = await startPacketWms({ failFirstArrays: 1 });
    h = await startHarness({
      label: 'whpacket503',
      wmsPackSize: 8,
      wmsUrl: wms.url,
      retry: { attempts: 4, backoff: 50, maxBackoff: 200, jitter: 0 },
    });
    const deliveries = Array.from({ length: 12 }, (_, i) => `00800071${String(i + 10)}`);
    const ids = await ingestAll(h, 940_000, deliveries);
    await h.startWorkers();
    await vi.waitFor(async () => {
      const all = await Promise.all(ids.map(async (id) => (await h!.store.get(id))?.status));
      expect(all.every((s) => s === 'delivered')).toBe(true);
    }, WAIT);
    const refused = wms.seen.find((s) => s.array);
    expect(refused).toMatchObject({ status: 503 });
    const okCount = new Map<string, number>();
    for (const s of wms.seen)
      s.ids.forEach((id, i) => s.answer[i] === 'ok' && okCount.set(id, (okCount.get(id) ?? 0) + 1));
    for (const id of ids) expect(okCount.get(id)).toBe(1);
    // The refused call is an attempt of its head; its members went back to their own jobs.
    const failedFirst = refused!.ids;
    const head = await h.store.attempts(failedFirst[0]!);
    expect(head.map((a) => a.errorCode)).toEqual(['TRANSPORT_HTTP_5XX', null]);
  }, 60_000);
});
