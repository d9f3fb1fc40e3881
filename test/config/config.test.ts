import { describe, expect, it } from 'vitest';
import { checkConfig, loadConfig, parseConfigText } from '../../src/config/load.js';
import { IdocgateError } from '../../src/errors.js';

const yaml = `
server: { port: 9090, bodyLimit: 2mb }
retention: { keep: 30d }
ports:
  SAPQ01:
    transport: { kind: sap-xml-http, url: "http://127.0.0.1:1/sap/bc/idoc_xml", client: "100", usernameEnv: SAP_USER, passwordEnv: SAP_PASSWORD }
    control: { SNDPOR: IDOCGATE, RCVPOR: SAPQ01, RCVPRN: Q01CLNT100, RCVPRT: LS }
partners:
  wms:
    number: WMS01
    credentials: { apiKeySha256: ["${'a'.repeat(64)}"] }
    sends: [{ messageType: WHSCON, contract: wms-confirmation, mapping: wms-confirmation-to-delvry07, port: SAPQ01 }]
    receives: [{ messageType: WHSORD, idocType: DELVRY07, mapping: delvry07-to-wms-order, transport: { kind: webhook, url: "http://127.0.0.1:1/orders" } }]
    retry: { attempts: 5, backoff: 1s }
`;

describe('configuration', () => {
  it('parses durations, sizes and defaults', () => {
    const { config, issues } = checkConfig(parseConfigText(yaml, 't.yaml'), {
      SAP_USER: 'u',
      SAP_PASSWORD: 'p',
    });
    expect(issues).toEqual([]);
    expect(config?.server.bodyLimit).toBe(2 * 1024 * 1024);
    expect(config?.retention.keep).toBe(30 * 86_400_000);
    expect(config?.partners['wms']?.retry).toMatchObject({ attempts: 5, backoff: 1000 });
    expect(config?.partners['wms']?.receives[0]?.statusToSap).toBe('none');
    expect(config?.database.dataDir).toBe('data/pglite');
  });

  it('reports every problem at once, each with its path', () => {
    const bad = parseConfigText(
      `
server: { port: 99999 }
ports: { SAPQ01: { transport: { kind: sap-xml-http }, control: { SNDPOR: "TOO-LONG-PORT-NAME" } } }
partners:
  a: { number: P1, sends: [{ messageType: X, contract: c, port: NOPE }] }
  b: { number: P1 }
  c: { number: P2, unknownKey: 1 }
`,
      'bad.yaml',
    );
    const { issues } = checkConfig(bad, {});
    const paths = issues.map((i) => i.path);
    expect(paths).toContain('server.port');
    expect(paths).toContain('ports.SAPQ01.control.SNDPOR');
    expect(paths).toContain('partners.c');
  });

  it('checks cross references and duplicate partners after the schema passes', () => {
    const { issues } = checkConfig(
      parseConfigText(
        `
partners:
  a: { number: P1, sends: [{ messageType: X, contract: c, port: NOPE }] }
  b: { number: P1 }
`,
        'x.yaml',
      ),
      {},
    );
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'partners.a.sends.0.port: unknown port "NOPE" (defined: none)',
      'partners.b.number: partner LS/P1 is already defined as "a"',
    ]);
  });

  it('requires every referenced secret to be set, and never exposes values', () => {
    const { issues } = checkConfig(parseConfigText(yaml, 't.yaml'), {});
    expect(issues.map((i) => i.path)).toEqual([
      'ports.SAPQ01.transport.usernameEnv',
      'ports.SAPQ01.transport.passwordEnv',
    ]);
  });

  it('loads with the environment and freezes the result', () => {
    const loaded = loadConfig({ env: { DATABASE_URL: 'postgres://x' } });
    expect(loaded.source).toBe('(defaults)');
    expect(loaded.env.databaseUrl).toBe('postgres://x');
    expect(Object.isFrozen(loaded.config.server)).toBe(true);
    expect(JSON.stringify(loaded.secrets)).toBe('"[secrets]"');
    expect(() => loadConfig({ file: '/nonexistent.yaml', env: {} })).toThrow(IdocgateError);
  });
});
