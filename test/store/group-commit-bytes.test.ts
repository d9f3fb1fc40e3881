/**
 * Group commit of receipts whose raw is bytes (an SAP edge stores the request body as received):
 * they share batch statements like text receipts, and every byte comes back as stored — also
 * bytes that are not UTF-8 (a flat file in a legacy code page).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroupReceiver } from '../../src/store/messages/group-commit.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { backends } from './backends.js';
import { delvry, unique } from './fixtures.js';

describe.each(backends('wt_thru_gcb'))('group commit of binary receipts on $name', (backend) => {
  let store: OpenedStore;
  beforeAll(async () => {
    if (backend.available) store = await backend.open();
  });
  afterAll(async () => {
    if (backend.available) await store.close();
    await backend.cleanup();
  });

  it.skipIf(!backend.available)('batches byte payloads and stores every byte', async () => {
    const group = createGroupReceiver({ db: store.db, clock: () => new Date(), newId: randomUUID });
    const partner = unique('P');
    const bodies = Array.from({ length: 10 }, (_, i) =>
      // Latin-1 "ü" (0xFC) and a NUL: not UTF-8, not storable as text.
      Buffer.concat([Buffer.from(`EDI_DC40 ${i} `), Buffer.from([0xfc, 0x00, 0xff, i])]),
    );
    const results = await Promise.all(
      bodies.map((content) =>
        group.receive(
          delvry(partner, {
            docnum: unique('B'),
            raw: { format: 'flat', content },
          }),
        ),
      ),
    );
    expect(group.batcher.stats.largest).toBeGreaterThan(1);
    for (const [i, r] of results.entries()) {
      const raw = (await store.versions(r.message.id)).find((v) => v.kind === 'raw')!;
      expect(raw.content).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(raw.content as Uint8Array).equals(bodies[i]!)).toBe(true);
    }
  });
});
