/** Pure parts of the pipeline and the queue adapter: backoff, verdicts, keys, ordering keys, status IDocs. */
import { UnrecoverableError, type Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { IdocgateError } from '../../src/errors.js';
import { validateIdoc } from '../../src/idoc/validate.js';
import { orderingKeyFor } from '../../src/pipeline/ordering.js';
import { classifyFailure, computeBackoff } from '../../src/pipeline/retry.js';
import { destinations, routeSapIdoc } from '../../src/pipeline/routing.js';
import { idocSearchKeys, jsonSearchKeys } from '../../src/pipeline/search-keys.js';
import { outboundControl, sapDateTime } from '../../src/pipeline/outbound-idoc.js';
import {
  ALEAUD_STATUS_FOR_OUTCOME,
  SAP_STATUS_FOR_OUTCOME,
  aleaudSegments,
  systatSegments,
  type StatusFacts,
} from '../../src/pipeline/status-to-sap.js';
import { RetryLater, backoffStrategy } from '../../src/queues/backoff.js';
import { jobOptionsFor } from '../../src/queues/producer.js';
import { jobIdOf } from '../../src/queues/queue-keys.js';
import { runDeliverJob } from '../../src/queues/workers.js';
import { TransportError } from '../../src/transports/transport-error.js';
import { definitions, delvry07, handheldScan } from './harness.js';

const policy = { attempts: 5, backoff: 1000, maxBackoff: 10_000, jitter: 0.2 };

describe('computeBackoff', () => {
  it('doubles per retry, is capped, and spreads by ±jitter with the injected random source', () => {
    expect([1, 2, 3, 4, 5].map((n) => computeBackoff(n, policy, () => 0.5))).toEqual([
      1000, 2000, 4000, 8000, 10_000,
    ]);
    expect(computeBackoff(2, policy, () => 0)).toBe(1600);
    expect(computeBackoff(2, policy, () => 1)).toBe(2400);
    expect(computeBackoff(10, policy, () => 1)).toBe(10_000);
  });
  it("honours the receiver's Retry-After up to maxBackoff", () => {
    expect(computeBackoff(1, policy, () => 0.5, 5000)).toBe(5000);
    expect(computeBackoff(1, policy, () => 0.5, 60_000)).toBe(10_000);
    expect(computeBackoff(1, policy, () => 0.5, 10)).toBe(1000);
  });
});

describe('classifyFailure', () => {
  it('takes the verdict from the error catalogue', () => {
    expect(
      classifyFailure(new TransportError('TRANSPORT_HTTP_5XX', 'down', { retryAfterMs: 3000 })),
    ).toMatchObject({
      verdict: 'transient',
      retryAfterMs: 3000,
    });
    expect(classifyFailure(new TransportError('TRANSPORT_HTTP_4XX', 'no')).verdict).toBe('permanent');
    expect(classifyFailure(new IdocgateError('MAPPING_FAILED', 'x')).verdict).toBe('permanent');
    expect(classifyFailure(new IdocgateError('STORE_UNAVAILABLE', 'x')).verdict).toBe('transient');
    expect(classifyFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })).verdict).toBe(
      'transient',
    );
  });
});

describe('business keys and ordering keys', () => {
  it('come from the segment/field table, numbers with and without leading zeros', () => {
    const keys = idocSearchKeys(delvry07('1', '0080001234'));
    expect(keys).toContainEqual({ kind: 'delivery', value: '0080001234' });
    expect(keys).toContainEqual({ kind: 'delivery', value: '80001234' });
    expect(keys).toContainEqual({ kind: 'serial', value: 'SN-1001' });
    expect(keys.some((k) => k.kind === 'hu')).toBe(true);
    expect(keys.some((k) => k.kind === 'material')).toBe(true);
  });
  it('come from JSON property names for partner payloads', () => {
    const keys = jsonSearchKeys(JSON.parse(handheldScan('HH-1', '180000123')));
    expect(keys).toContainEqual({ kind: 'delivery', value: '180000123' });
    expect(keys).toContainEqual({ kind: 'serial', value: 'SN-1001' });
    expect(keys).toContainEqual({ kind: 'scan', value: 'HH-1' });
  });
  it('ordering key: a key kind or an EDI_DC40 field, per partner, ALPHA-normalised', () => {
    const keys = idocSearchKeys(delvry07('1', '0080001234'));
    expect(orderingKeyFor('delivery', 'wms', keys)).toBe('wms/delivery=80001234');
    expect(orderingKeyFor('EDI_DC40.MESTYP', 'wms', [], { MESTYP: 'WHSORD' })).toBe(
      'wms/EDI_DC40.MESTYP=WHSORD',
    );
    expect(orderingKeyFor('po', 'wms', keys)).toBeUndefined();
    expect(orderingKeyFor(undefined, 'wms', keys)).toBeUndefined();
  });
});

describe('routing', () => {
  const config = configSchema.parse({
    ports: { sap: { transport: { kind: 'file', dir: '/tmp/x' } } },
    partners: {
      wms: {
        number: 'WMSEAST',
        receives: [{ messageType: 'WHSORD', transport: { kind: 'webhook', url: 'http://x' } }],
        concurrency: 2,
        rateLimit: { max: 10, per: '1s' },
      },
    },
  });
  it('one queue per partner profile and per port, with concurrency and rate limit', () => {
    expect(destinations(config).map((d) => [d.name, d.concurrency, d.rateLimit])).toEqual([
      ['partner.wms', 2, { max: 10, per: 1000 }],
      ['port.sap', 4, undefined],
    ]);
    expect(jobOptionsFor(config, 'partner.wms')).toMatchObject({
      attempts: 8,
      removeOnComplete: true,
      removeOnFail: true,
    });
    expect(jobIdOf({ messageId: 'abc', token: '2' })).toBe('abc_2');
  });
  it('rejects unknown receivers and message types with 4xx codes', () => {
    expect(() => routeSapIdoc(config, { RCVPRN: 'NOBODY', MESTYP: 'WHSORD' }, 'sap')).toThrow(
      expect.objectContaining({ code: 'PARTNER_UNKNOWN', httpStatus: 422 }),
    );
    expect(() => routeSapIdoc(config, { RCVPRN: 'WMSEAST', MESTYP: 'DEBMAS' }, 'sap')).toThrow(
      expect.objectContaining({ code: 'MESSAGE_TYPE_NOT_ALLOWED', httpStatus: 403 }),
    );
    expect(
      routeSapIdoc(config, { RCVPRN: 'WMSEAST', RCVPRT: 'LS', MESTYP: 'WHSORD' }, 'sap').partnerName,
    ).toBe('wms');
  });
});

describe('status IDocs', () => {
  const port = configSchema.parse({
    ports: {
      sap: { transport: { kind: 'file', dir: '/tmp/x' }, control: { MANDT: '100', RCVPRN: 'PRDCLNT100' } },
    },
  }).ports['sap']!;
  const now = Date.parse('2024-03-02T15:04:05Z');
  const facts: StatusFacts = {
    docnum: '0000000000220931',
    messageType: 'WHSORD',
    status: '11',
    statusText: 'Error during dispatch by idocgate to wms',
    errorText: 'TRANSPORT_HTTP_4XX: '.padEnd(120, 'x'),
    now,
    timeZone: 'America/New_York',
  };
  it('SYSTAT01 validates against its definition', () => {
    const control = outboundControl(
      port,
      {},
      { docnum: '0000000000000001', idocType: 'SYSTAT01', messageType: 'STATUS', now, timeZone: 'UTC' },
    );
    const idoc = { control, segments: systatSegments(facts) };
    expect(validateIdoc(idoc, definitions).filter((i) => i.severity !== 'warning')).toEqual([]);
    const f = idoc.segments[0]!.fields;
    expect([f['DOCNUM'], f['STATUS'], f['LOGDAT'], f['LOGTIM']]).toEqual([
      '0000000000220931',
      '11',
      '20240302',
      '100405',
    ]);
    expect(f['STAPA1']).toHaveLength(50);
    // EDI_DS-MANDT: "An external system should not maintain this field" (docs/sap-status-sources.md)
    expect(f['MANDT']).toBeUndefined();
    expect(control).toMatchObject({ DIRECT: '2', MANDT: '100', RCVPRN: 'PRDCLNT100', IDOCTYP: 'SYSTAT01' });
  });
  it('ALEAUD01 validates against its (reconstructed) definition', () => {
    const control = outboundControl(
      port,
      {},
      { docnum: '0000000000000002', idocType: 'ALEAUD01', messageType: 'ALEAUD', now, timeZone: 'UTC' },
    );
    const issues = validateIdoc({ control, segments: aleaudSegments(facts) }, definitions);
    expect(issues.filter((i) => i.severity !== 'warning')).toEqual([]);
  });
  it('ALEAUD01 carries inbound status codes (53/51/68), SYSTAT01 outbound ones (12/11/31)', () => {
    // SAP help, "Segments of Audit IDoc ALEAUD01": "The Status field must contain a valid SAP status
    // value for inbound IDocs."
    expect(ALEAUD_STATUS_FOR_OUTCOME).toMatchObject({
      delivered: { status: '53' },
      dead: { status: '51' },
      cancelled: { status: '68' },
    });
    expect(SAP_STATUS_FOR_OUTCOME).toMatchObject({
      delivered: { status: '12' },
      dead: { status: '11' },
      cancelled: { status: '31' },
    });
    const ok = aleaudSegments({ ...facts, status: '53' })[0]!.children[0]!.fields;
    expect([ok['STATUS'], ok['STATYP']]).toEqual(['53', 'S']);
    const bad = aleaudSegments({ ...facts, status: '51' })[0]!.children[0]!.fields;
    expect([bad['STATUS'], bad['STATYP']]).toEqual(['51', 'E']);
  });
  it('SAP dates and times are local to the configured time zone', () => {
    expect(sapDateTime(Date.parse('2024-01-01T03:00:00Z'), 'America/New_York')).toEqual({
      date: '20231231',
      time: '220000',
    });
  });
});

describe('BullMQ adapter', () => {
  const job = (attemptsMade: number): Job<{ messageId: string; token: string }> =>
    ({ data: { messageId: 'm1', token: '1' }, attemptsMade, opts: { attempts: 3 } }) as unknown as Job<{
      messageId: string;
      token: string;
    }>;
  it('turns a retry outcome into RetryLater whose delay the backoff strategy uses', async () => {
    const err = await runDeliverJob(job(0), () =>
      Promise.resolve({ kind: 'retry', delayMs: 1234, code: 'TRANSPORT_HTTP_5XX', text: 'down' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryLater);
    const strategy = backoffStrategy(policy, () => 0.5);
    expect(strategy(1, 'idocgate', err as Error)).toBe(1234);
    expect(strategy(2, 'idocgate', new Error('store down'))).toBe(2000);
  });
  it('turns a dead letter into UnrecoverableError (no retries burnt) and passes the run facts', async () => {
    let seen: unknown;
    const err = await runDeliverJob(job(1), (run) => {
      seen = run;
      return Promise.resolve({ kind: 'dead', permanent: true, code: 'TRANSPORT_HTTP_4XX', text: 'rejected' });
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect(seen).toEqual({ messageId: 'm1', token: '1', attemptsMade: 1, maxAttempts: 3 });
    await expect(runDeliverJob(job(0), () => Promise.resolve({ kind: 'delivered' }))).resolves.toBe(
      'delivered',
    );
  });
});
