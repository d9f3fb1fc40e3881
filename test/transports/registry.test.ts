import { describe, expect, it } from 'vitest';
import { createTransport, transportKinds, validateTransportOptions } from '../../src/transports/registry.js';
import { steppingClock } from './contract.js';

describe('transport registry', () => {
  it('lists each kind once, each with a schema and a factory', () => {
    const kinds = transportKinds.map((t) => t.kind);
    expect(kinds).toEqual(expect.arrayContaining(['sap-xml-http', 'sap-soap', 'webhook', 'file', 'rfc']));
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const t of transportKinds) {
      expect(typeof t.optionsSchema.safeParse).toBe('function');
      expect(typeof t.create).toBe('function');
    }
  });

  it('rejects an unknown kind, naming the known ones', async () => {
    await expect(createTransport('ftp', {}, { clock: steppingClock() })).rejects.toMatchObject({
      code: 'TRANSPORT_UNKNOWN_KIND',
      message: expect.stringContaining('sap-xml-http'),
    });
  });

  it('reports all problems of sap-xml-http options with paths', () => {
    const r = validateTransportOptions('sap-xml-http', {
      kind: 'sap-xml-http',
      url: 'ftp://sap',
      client: '1',
      passwordEnv: 'sap_password',
      timeout: '30 seconds',
    });
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['url', 'client', 'username', 'passwordEnv', 'timeout']));
  });

  it('reports an unparsable URL as an issue with its path (never throws)', () => {
    for (const kind of ['sap-xml-http', 'sap-soap', 'webhook', 'epcis-capture']) {
      const r = validateTransportOptions(kind, {
        url: 'not a url',
        ...(kind.startsWith('sap') ? { username: 'U', passwordEnv: 'SAP_PW', client: '100' } : {}),
      });
      expect(r.ok, kind).toBe(false);
      const urlIssues = r.ok ? [] : r.issues.filter((i) => i.path === 'url');
      expect(urlIssues, kind).toHaveLength(1);
      expect(urlIssues[0]?.code).toBe('TRANSPORT_OPTION_INVALID');
    }
  });

  it('never echoes a secret value in an issue', () => {
    const r = validateTransportOptions('sap-xml-http', {
      url: 'https://sap/x',
      username: 'U',
      password: 'hunter2-secret',
      unknown: 'hunter2-secret',
      contentType: 'hunter2-secret',
    });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('hunter2-secret');
  });

  it('refuses credentials in the URL and a client contradicting the URL', () => {
    const r = validateTransportOptions('sap-soap', {
      url: 'https://u:p@sap/sap/bc/srt/idoc?sap-client=100',
      client: '200',
      username: 'U',
      password: 'p',
    });
    expect(r.ok).toBe(false);
    const messages = r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages.join('\n')).toMatch(/credentials/);
    expect(messages.join('\n')).toMatch(/client: client 200 contradicts sap-client=100/);
  });

  it('accepts durations as numbers or strings and applies defaults', () => {
    const r = validateTransportOptions('webhook', { url: 'http://wms/x', timeout: '2m' });
    expect(r).toMatchObject({
      ok: true,
      options: { timeout: 120_000, method: 'POST', duplicateStatuses: [] },
    });
  });

  it('checks the file name pattern', () => {
    const r = validateTransportOptions('file', { dir: '/tmp/x', filename: '../{DOCNUM}_{NOPE}.xml' });
    expect(r.ok).toBe(false);
    const text = r.ok ? '' : r.issues.map((i) => i.message).join('\n');
    expect(text).toMatch(/unknown placeholder \{NOPE\}/);
    expect(text).toMatch(/directory separator/);
  });

  it('rfc needs a destination or connection fields, client, user and a password', () => {
    const r = validateTransportOptions('rfc', {});
    const paths = r.ok ? [] : r.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['dest', 'client', 'user', 'passwordEnv']));
    expect(validateTransportOptions('rfc', { dest: 'Q01' }).ok).toBe(true);
  });
});
