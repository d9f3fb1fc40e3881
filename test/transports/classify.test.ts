import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyHttpStatus,
  classifyNetworkError,
  parseRetryAfter,
} from '../../src/transports/classify-http.js';
import { createTransport } from '../../src/transports/registry.js';
import { redact, TransportError } from '../../src/transports/transport-error.js';
import { steppingClock } from './contract.js';
import { xmlDelivery } from './payloads.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

describe('parseRetryAfter', () => {
  it('reads delta seconds and HTTP dates, ignores garbage', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000);
    expect(parseRetryAfter(new Date(NOW - 30_000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter(['5', '9'], NOW)).toBe(5000);
  });
});

describe('classifyHttpStatus', () => {
  const classify = (status: number, headers: Record<string, string> = {}) =>
    classifyHttpStatus({ status, headers, excerpt: 'body' }, 'SAP', NOW);

  it.each([
    [200, undefined, undefined],
    [202, undefined, undefined],
    [400, 'TRANSPORT_HTTP_4XX', 'permanent'],
    [401, 'TRANSPORT_AUTH_REJECTED', 'permanent'],
    [403, 'TRANSPORT_AUTH_REJECTED', 'permanent'],
    [404, 'TRANSPORT_HTTP_4XX', 'permanent'],
    [408, 'TRANSPORT_HTTP_THROTTLED', 'transient'],
    [409, 'TRANSPORT_HTTP_4XX', 'permanent'],
    [429, 'TRANSPORT_HTTP_THROTTLED', 'transient'],
    [500, 'TRANSPORT_HTTP_5XX', 'transient'],
    [502, 'TRANSPORT_HTTP_5XX', 'transient'],
    [503, 'TRANSPORT_HTTP_5XX', 'transient'],
    [302, 'TRANSPORT_HTTP_UNEXPECTED', 'permanent'],
  ])('HTTP %i -> %s (%s)', (status, code, verdict) => {
    const err = classify(status);
    expect(err?.code).toBe(code);
    expect(err?.verdict).toBe(verdict);
    if (err) expect(err.status).toBe(status);
  });

  it('keeps Retry-After for throttling and 503, not for permanent 4xx', () => {
    expect(classify(429, { 'retry-after': '7' })?.retryAfterMs).toBe(7000);
    expect(classify(503, { 'retry-after': '60' })?.retryAfterMs).toBe(60_000);
    expect(classify(400, { 'retry-after': '60' })?.retryAfterMs).toBeUndefined();
  });

  it('says that a redirect was not followed', () => {
    expect(classify(302, { location: '/sap/public/bc/icf/logoff' })?.message).toMatch(
      /redirect not followed/,
    );
  });
});

describe('classifyNetworkError', () => {
  const state = { timedOut: false, aborted: false, timeoutMs: 1000 };
  const errno = (code: string) => Object.assign(new Error(code), { code });

  it.each([
    ['ECONNREFUSED', 'TRANSPORT_CONNECTION_REFUSED', 'transient'],
    ['ECONNRESET', 'TRANSPORT_NETWORK', 'transient'],
    ['ENOTFOUND', 'TRANSPORT_NETWORK', 'transient'],
    ['EAI_AGAIN', 'TRANSPORT_NETWORK', 'transient'],
    ['ETIMEDOUT', 'TRANSPORT_TIMEOUT', 'transient'],
    ['CERT_HAS_EXPIRED', 'TRANSPORT_TLS', 'permanent'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'TRANSPORT_TLS', 'permanent'],
  ])('%s -> %s', (code, expected, verdict) => {
    const err = classifyNetworkError(errno(code), 'SAP', state);
    expect(err.code).toBe(expected);
    expect(err.verdict).toBe(verdict);
  });

  it('looks through cause chains, and abort/timeout state wins', () => {
    const wrapped = new TypeError('fetch failed', { cause: errno('ECONNREFUSED') });
    expect(classifyNetworkError(wrapped, 'SAP', state).code).toBe('TRANSPORT_CONNECTION_REFUSED');
    expect(classifyNetworkError(errno('ECONNRESET'), 'SAP', { ...state, aborted: true }).code).toBe(
      'TRANSPORT_ABORTED',
    );
    expect(classifyNetworkError(errno('ECONNRESET'), 'SAP', { ...state, timedOut: true }).code).toBe(
      'TRANSPORT_TIMEOUT',
    );
  });
});

describe('redact', () => {
  it('removes secrets and shortens', () => {
    expect(redact('user pw=hunter22 token hunter22', ['hunter22'])).toBe('user pw=*** token ***');
    expect(redact('x'.repeat(600), []).length).toBe(501);
  });
});

// nock 14 hangs on replyWithError({ code, message }) (a plain object); an Error instance works.
const errnoError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('TLS and DNS failures (nock)', () => {
  beforeAll(() => {
    nock.disableNetConnect();
  });
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  const make = () =>
    createTransport(
      'sap-xml-http',
      {
        url: 'https://sap.example.com/sap/bc/idoc_xml',
        client: '100',
        username: 'U',
        password: 'tls-secret-1',
      },
      { clock: steppingClock() },
    );

  it('an expired certificate is permanent TRANSPORT_TLS', async () => {
    nock('https://sap.example.com')
      .post('/sap/bc/idoc_xml')
      .query({ 'sap-client': '100' })
      .replyWithError(errnoError('CERT_HAS_EXPIRED', 'certificate has expired'));
    const t = await make();
    const err = await t.send(xmlDelivery(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('TRANSPORT_TLS');
    expect((err as TransportError).verdict).toBe('permanent');
    await t.close?.();
  });

  it('an unknown host is transient TRANSPORT_NETWORK', async () => {
    nock('https://sap.example.com')
      .post('/sap/bc/idoc_xml')
      .query(true)
      .replyWithError(errnoError('ENOTFOUND', 'getaddrinfo ENOTFOUND sap.example.com'));
    const t = await make();
    const err = (await t.send(xmlDelivery(2)).catch((e: unknown) => e)) as TransportError;
    expect(err.code).toBe('TRANSPORT_NETWORK');
    expect(err.verdict).toBe('transient');
    expect(err.message).toContain('ENOTFOUND');
    await t.close?.();
  });

  it('an unreadable CA file is a configuration error', async () => {
    await expect(
      createTransport(
        'sap-xml-http',
        {
          url: 'https://sap.example.com/x',
          username: 'U',
          password: 'p',
          tls: { caFile: '/nonexistent/ca.pem' },
        },
        { clock: steppingClock() },
      ),
    ).rejects.toMatchObject({ code: 'TRANSPORT_OPTIONS_INVALID' });
  });
});
