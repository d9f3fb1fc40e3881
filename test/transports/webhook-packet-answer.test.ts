/**
 * How a webhook packet's 2xx answer is read (docs/transports.md "Webhook packets"): a results
 * array gives each message its own outcome; any other body means every message was taken; an
 * array that does not match the packet is TRANSPORT_PACKET_ANSWER_INVALID.
 */
import { describe, expect, it } from 'vitest';
import { packetOutcomes } from '../../src/transports/webhook.js';

const ids = ['a1', 'b2', 'c3'];

describe('packetOutcomes', () => {
  it('reads one result per message, in order', () => {
    const out = packetOutcomes(
      JSON.stringify(['ok', { id: 'b2', status: 'retry', message: 'locked' }, { status: 'rejected' }]),
      ids,
      false,
    );
    expect(out[0]).toEqual({ ok: true });
    expect(out[1]).toMatchObject({
      ok: false,
      error: { code: 'TRANSPORT_PACKET_ITEM_FAILED', verdict: 'transient' },
    });
    expect(out[1]!.ok === false && out[1]!.error.message).toContain('locked');
    expect(out[2]).toMatchObject({
      ok: false,
      error: { code: 'TRANSPORT_PACKET_ITEM_REJECTED', verdict: 'permanent' },
    });
    expect(packetOutcomes('[{"status":"duplicate","reference":"R9"},"ok","duplicate"]', ids, false)).toEqual([
      { ok: true, duplicate: true, remoteReference: 'R9' },
      { ok: true },
      { ok: true, duplicate: true },
    ]);
  });

  it('takes any other 2xx body as "all taken"', () => {
    for (const body of ['', '{"accepted":3}', 'OK'])
      expect(packetOutcomes(body, ids, false)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(packetOutcomes('', ids, true)).toEqual(ids.map(() => ({ ok: true, duplicate: true })));
  });

  it('refuses an array that does not match the packet', () => {
    for (const body of ['["ok"]', '["ok","ok","maybe"]', '[{"id":"zz","status":"ok"},"ok","ok"]', '[1,2'])
      expect(() => packetOutcomes(body, ids, false)).toThrow(
        expect.objectContaining({ code: 'TRANSPORT_PACKET_ANSWER_INVALID' }),
      );
  });
});
