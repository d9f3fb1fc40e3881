import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport } from '../../src/transports/registry.js';
import { signWebhookBody, verifyWebhookSignature } from '../../src/transports/webhook-signature.js';
import { startFakeWebhook, type FakeWebhook } from '../support/fake-webhook.js';
import { steppingClock } from './contract.js';
import { jsonDelivery } from './payloads.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const body = Buffer.from('{"a":1}');

describe('webhook signatures', () => {
  it('round-trips and is bound to body, secret and time', () => {
    const header = signWebhookBody('s3cret', body, NOW);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(header, body, 's3cret', { nowMs: NOW })).toEqual({
      ok: true,
      timestamp: Math.floor(NOW / 1000),
    });
    expect(verifyWebhookSignature(header, Buffer.from('{"a":2}'), 's3cret', { nowMs: NOW })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyWebhookSignature(header, body, 'other', { nowMs: NOW })).toMatchObject({
      reason: 'mismatch',
    });
    expect(verifyWebhookSignature(header, body, 's3cret', { nowMs: NOW + 301_000 })).toMatchObject({
      reason: 'expired',
    });
    expect(verifyWebhookSignature('garbage', body, 's3cret', { nowMs: NOW })).toMatchObject({
      reason: 'malformed',
    });
    expect(verifyWebhookSignature(undefined, body, 's3cret', { nowMs: NOW })).toMatchObject({
      reason: 'malformed',
    });
  });

  it('accepts any of several v1 values (secret rotation)', () => {
    const oldSig = signWebhookBody('old', body, NOW);
    const newSig = signWebhookBody('new', body, NOW);
    const both = `${newSig},v1=${oldSig.split('v1=')[1]}`;
    expect(verifyWebhookSignature(both, body, 'old', { nowMs: NOW }).ok).toBe(true);
    expect(verifyWebhookSignature(both, body, 'new', { nowMs: NOW }).ok).toBe(true);
  });
});

describe('webhook transport', () => {
  let hook: FakeWebhook;
  beforeAll(async () => {
    hook = await startFakeWebhook({ token: 'tok-123456' });
  });
  afterAll(async () => {
    await hook.close();
  });

  it('resolves the token from its environment-variable name and sends Idempotency-Key', async () => {
    const t = await createTransport(
      'webhook',
      { url: hook.url, authHeader: { valueEnv: 'WMS_TOKEN' }, referenceHeader: 'X-Request-Id' },
      { clock: steppingClock(), resolveSecret: (n) => (n === 'WMS_TOKEN' ? 'Bearer tok-123456' : undefined) },
    );
    const d = { ...jsonDelivery(1), idempotencyKey: 'key-1' };
    const receipt = await t.send(d);
    expect(receipt.status).toBe(200);
    expect(receipt.remoteReference).toMatch(/^wms-\d+$/);
    const got = hook.received[hook.received.length - 1]!;
    expect(got.headers['idempotency-key']).toBe('key-1');
    expect(got.headers['x-idocgate-message-id']).toBe(d.messageId);
    expect(got.json).toEqual(JSON.parse(d.body as string));
    await t.close?.();
  });

  it('an unset environment variable is named in the error; its (absent) value is not needed', async () => {
    await expect(
      createTransport(
        'webhook',
        { url: hook.url, authHeader: { valueEnv: 'WMS_TOKEN_MISSING' } },
        { clock: steppingClock(), resolveSecret: () => undefined },
      ),
    ).rejects.toMatchObject({
      code: 'TRANSPORT_OPTIONS_INVALID',
      message: expect.stringContaining('WMS_TOKEN_MISSING'),
    });
  });

  it('a 409 from a receiver that already has the message counts as delivered when configured', async () => {
    hook.setBehaviour({ conflictOnDuplicate: true });
    const make = (duplicateStatuses: number[]) =>
      createTransport(
        'webhook',
        { url: hook.url, authHeader: { value: 'Bearer tok-123456' }, duplicateStatuses },
        { clock: steppingClock() },
      );
    const lenient = await make([409]);
    const strict = await make([]);
    const d = jsonDelivery(2);
    expect((await lenient.send(d)).duplicate).toBeUndefined();
    expect(await lenient.send(d)).toMatchObject({ status: 409, duplicate: true });
    await expect(strict.send(d)).rejects.toMatchObject({ code: 'TRANSPORT_HTTP_4XX', verdict: 'permanent' });
    hook.setBehaviour({});
    await lenient.close?.();
    await strict.close?.();
  });
});
