import { describe, expect, it } from 'vitest';
import { createTransport } from '../../src/transports/registry.js';
import { buildRfcTables, rfcTransactionId } from '../../src/transports/rfc-tables.js';
import {
  classifyRfcError,
  inDoubtAfterCall,
  loadRfcClient,
  RFC_UNAVAILABLE_MESSAGE,
} from '../../src/transports/rfc.js';
import { TransportError } from '../../src/transports/transport-error.js';
import { steppingClock } from './contract.js';
import { docnumFor, flatDelivery, flatIdoc, idocXml } from './payloads.js';

const options = {
  ashost: 'sap.example',
  sysnr: '00',
  client: '100',
  user: 'RFC_IDOC',
  password: 'rfc-pw-123',
};

describe('rfc transport without node-rfc (the real situation on this machine)', () => {
  it('fails every send permanently with the exact message', async () => {
    const t = await createTransport('rfc', options, { clock: steppingClock() });
    const err = await t.send(flatDelivery(1)).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'TRANSPORT_RFC_UNAVAILABLE',
      verdict: 'permanent',
      message:
        'node-rfc is not installed (npm install node-rfc) and needs the SAP NW RFC SDK: see docs/transports.md',
    });
  });

  it('says when node-rfc is there but its native SDK library is not', async () => {
    const broken = () =>
      Promise.reject(new Error('libsapnwrfc.so: cannot open shared object file: No such file or directory'));
    await expect(loadRfcClient(broken)).rejects.toMatchObject({
      code: 'TRANSPORT_RFC_UNAVAILABLE',
      message: expect.stringMatching(/installed but could not be loaded.*SAP NW RFC SDK.*libsapnwrfc/),
    });
    await expect(loadRfcClient(() => Promise.resolve({}))).rejects.toMatchObject({
      message: expect.stringContaining(RFC_UNAVAILABLE_MESSAGE),
    });
  });
});

describe('buildRfcTables', () => {
  it('splits EDI_DC40 / EDI_DD40 records into the IDOC_INBOUND_ASYNCHRONOUS tables', () => {
    const { tables, issues } = buildRfcTables(flatIdoc(7));
    expect(issues).toEqual([]);
    expect(tables.IDOC_CONTROL_REC_40).toHaveLength(1);
    expect(tables.IDOC_CONTROL_REC_40[0]).toMatchObject({
      TABNAM: 'EDI_DC40',
      MANDT: '100',
      DOCNUM: docnumFor(7),
      DIRECT: '2',
      IDOCTYP: 'DELVRY07',
      MESTYP: 'WHSCON',
      SNDPOR: 'IDOCGATE',
      SNDPRT: 'LS',
      SNDPRN: 'WMS01',
      SERIAL: '',
    });
    expect(Object.keys(tables.IDOC_CONTROL_REC_40[0]!)).toHaveLength(36);
    expect(tables.IDOC_DATA_REC_40).toEqual([
      {
        SEGNAM: 'E2EDL20004',
        MANDT: '100',
        DOCNUM: docnumFor(7),
        SEGNUM: '000001',
        PSGNUM: '000000',
        HLEVEL: '02',
        SDATA: '0080000007' + '3010',
      },
      {
        SEGNAM: 'E2EDL22001',
        MANDT: '100',
        DOCNUM: docnumFor(7),
        SEGNUM: '000002',
        PSGNUM: '000001',
        HLEVEL: '03',
        SDATA: 'Versandstelle Süd',
      },
    ]);
  });

  it('reports problems instead of guessing', () => {
    expect(buildRfcTables(idocXml(1)).issues.map((i) => i.code)).toEqual(['RFC_NEEDS_FLAT']);
    expect(buildRfcTables('').issues.map((i) => i.code)).toContain('RFC_EMPTY');
    expect(buildRfcTables('E2EDL20004  x\n').issues.map((i) => i.code)).toContain('RFC_DATA_BEFORE_CONTROL');
    const long = `EDI_DC40${' '.repeat(600)}x\n`;
    expect(buildRfcTables(long).issues.map((i) => i.code)).toContain('RFC_RECORD_TOO_LONG');
    const twoWithoutDocnum = 'EDI_DC40  100\nEDI_DC40  100\n';
    expect(buildRfcTables(twoWithoutDocnum).issues.map((i) => i.code)).toContain('RFC_DOCNUM_REQUIRED');
  });

  it('an XML body is refused before node-rfc is even loaded', async () => {
    let loaded = false;
    const t = await createTransport('rfc', options, {
      clock: steppingClock(),
      importModule: () => {
        loaded = true;
        return Promise.resolve({});
      },
    });
    const err = await t.send({ ...flatDelivery(1), body: idocXml(1) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRANSPORT_DELIVERY_INVALID', verdict: 'permanent' });
    expect(loaded).toBe(false);
  });
});

describe('rfcTransactionId', () => {
  it('is 24 upper-case hex characters and stable per message', () => {
    expect(rfcTransactionId('m1')).toMatch(/^[0-9A-F]{24}$/);
    expect(rfcTransactionId('m1')).toBe(rfcTransactionId('m1'));
    expect(rfcTransactionId('m2')).not.toBe(rfcTransactionId('m1'));
  });
});

describe('classifyRfcError', () => {
  const err = (codeString: string, key = codeString, message = 'x') =>
    Object.assign(new Error(message), { codeString, key });
  it.each([
    ['RFC_COMMUNICATION_FAILURE', 'TRANSPORT_RFC_COMMUNICATION', 'transient'],
    ['RFC_LOGON_FAILURE', 'TRANSPORT_AUTH_REJECTED', 'permanent'],
    ['RFC_ABAP_EXCEPTION', 'TRANSPORT_RFC_FAILED', 'permanent'],
    ['RFC_ABAP_RUNTIME_FAILURE', 'TRANSPORT_RFC_FAILED', 'permanent'],
  ])('%s -> %s', (codeString, code, verdict) => {
    expect(classifyRfcError(err(codeString), [])).toMatchObject({ code, verdict });
  });
  it('removes the password from SAP messages', () => {
    const e = classifyRfcError(err('RFC_LOGON_FAILURE', 'RFC_LOGON_FAILURE', 'bad PASSWD=rfc-pw-123'), [
      'rfc-pw-123',
    ]);
    expect(e.message).not.toContain('rfc-pw-123');
  });
});

describe('RFC: sent or in doubt (no TID reaches SAP: a repeated call is not dropped)', () => {
  /** A node-rfc stand-in: `open` and `call` fail or hang as told. */
  const moduleWith = (fail: { open?: Error; call?: Error | 'hang' }) => ({
    Client: class {
      open(): Promise<void> {
        return fail.open !== undefined ? Promise.reject(fail.open) : Promise.resolve();
      }
      call(): Promise<Record<string, unknown>> {
        if (fail.call === 'hang') return new Promise(() => undefined);
        return fail.call !== undefined ? Promise.reject(fail.call) : Promise.resolve({});
      }
      close(): Promise<void> {
        return Promise.resolve();
      }
    },
  });
  const rfcError = (codeString: string) =>
    Object.assign(new Error(codeString), { codeString, key: codeString });
  const send = async (fail: Parameters<typeof moduleWith>[0]) => {
    const t = await createTransport(
      'rfc',
      { ...options, timeout: '100ms' },
      {
        clock: steppingClock(),
        importModule: (name: string) =>
          name === 'node-rfc' ? Promise.resolve(moduleWith(fail)) : Promise.reject(new Error(name)),
      },
    );
    expect(t.receiverDropsDuplicates).toBe(false);
    return (await t.send(flatDelivery(1)).catch((e: unknown) => e)) as TransportError;
  };

  it('a call that times out or loses its connection after it went out is in doubt', async () => {
    expect(await send({ call: 'hang' })).toMatchObject({ code: 'TRANSPORT_TIMEOUT', inDoubt: true });
    expect(await send({ call: rfcError('RFC_COMMUNICATION_FAILURE') })).toMatchObject({
      code: 'TRANSPORT_RFC_COMMUNICATION',
      inDoubt: true,
    });
  });
  it('a failure to connect was never sent; an ABAP exception is SAP saying no', async () => {
    const refused = await send({ open: rfcError('RFC_COMMUNICATION_FAILURE') });
    expect(refused).toMatchObject({ code: 'TRANSPORT_RFC_COMMUNICATION' });
    expect(refused.inDoubt).toBeUndefined();
    const abap = await send({ call: rfcError('RFC_ABAP_EXCEPTION') });
    expect(abap).toMatchObject({ code: 'TRANSPORT_RFC_FAILED', verdict: 'permanent' });
    expect(abap.inDoubt).toBeUndefined();
  });
  it('inDoubtAfterCall keeps errors before the call as they are', () => {
    const timeout = new TransportError('TRANSPORT_TIMEOUT', 'late');
    expect(inDoubtAfterCall(timeout, false)).toBe(timeout);
    expect(inDoubtAfterCall(timeout, true).inDoubt).toBe(true);
  });
});
