/**
 * The shared transport contract for the file port (a real temp directory) and for the RFC
 * transport. SAP cannot be reached here, so the RFC run uses a stand-in for the node-rfc module
 * (injected through deps.importModule) that records calls and raises node-rfc-shaped errors;
 * the real "node-rfc is not installed" path is tested in rfc.test.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { buildRfcTables } from '../../src/transports/rfc-tables.js';
import { runTransportContract, type ReceivedRequest } from './contract.js';
import { flatDelivery, xmlDelivery } from './payloads.js';

runTransportContract({
  kind: 'file',
  async setup() {
    const root = mkdtempSync(path.join(tmpdir(), 'idocgate-file-contract-'));
    const dir = path.join(root, 'out');
    const received = (): ReceivedRequest[] => {
      let names: string[];
      try {
        names = readdirSync(dir).filter((n) => !n.startsWith('.'));
      } catch {
        return [];
      }
      return names
        .filter((n) => n !== 'conflict.xml')
        .sort()
        .map((n) => ({ body: readFileSync(path.join(dir, n)), headers: { name: n } }));
    };
    return {
      options: { dir, fsync: true },
      secrets: [],
      delivery: xmlDelivery,
      expectedBytes: (d) => Buffer.from(d.body as string, 'utf8'),
      received,
      checkReceived(request, delivery) {
        expect(request.headers['name']).toBe(`${delivery.docnum}_WHSCON.xml`);
        expect(readdirSync(dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
      },
      async induce(failure) {
        switch (failure) {
          case 'server-error':
            // A share that is not mounted (yet): may pass, so transient.
            return { dir: path.join(root, 'not-mounted', 'out'), createDir: false };
          case 'client-error':
            writeFileSync(path.join(dir, 'conflict.xml'), 'someone else wrote this');
            return { filename: 'conflict.xml' };
          default:
            return undefined; // no credentials, no timeouts, nothing to refuse
        }
      },
      reset: () => undefined,
      teardown: async () => rmSync(root, { recursive: true, force: true }),
    };
  },
});

interface RecordedCall {
  readonly params: Record<string, string>;
  readonly fn: string;
  readonly args: Record<string, unknown>;
}

type RfcBehaviour = 'ok' | 'communication' | 'abap' | 'logon' | 'hang' | 'refused';

const RFC_PASSWORD = 'rfc-secret-91ab';

function rfcError(codeString: string, key: string, message: string): Error {
  return Object.assign(new Error(message), { name: 'RfcLibError', codeString, key });
}

runTransportContract({
  kind: 'rfc',
  async setup() {
    const calls: RecordedCall[] = [];
    let behaviour: RfcBehaviour = 'ok';
    class FakeRfcClient {
      constructor(private readonly params: Record<string, string>) {}
      open(): Promise<void> {
        if (behaviour === 'refused') {
          return Promise.reject(
            rfcError(
              'RFC_COMMUNICATION_FAILURE',
              'RFC_COMMUNICATION_FAILURE',
              'partner 127.0.0.1:sapgw00 not reached',
            ),
          );
        }
        if (behaviour === 'logon') {
          // Real RFC messages can quote connection data; the transport must redact the password.
          return Promise.reject(
            rfcError(
              'RFC_LOGON_FAILURE',
              'RFC_LOGON_FAILURE',
              `Name or password is incorrect (${this.params['passwd']})`,
            ),
          );
        }
        return Promise.resolve();
      }
      call(fn: string, args: Record<string, unknown>): Promise<unknown> {
        calls.push({ params: this.params, fn, args });
        switch (behaviour) {
          case 'communication':
            return Promise.reject(
              rfcError('RFC_COMMUNICATION_FAILURE', 'RFC_COMMUNICATION_FAILURE', 'connection reset by peer'),
            );
          case 'abap':
            return Promise.reject(
              Object.assign(new Error('No partner profile for WMS01'), {
                name: 'ABAPError',
                codeString: 'RFC_ABAP_EXCEPTION',
                key: 'NO_PARTNER_PROFILE',
              }),
            );
          case 'hang':
            return new Promise(() => undefined);
          default:
            return Promise.resolve({});
        }
      }
      close(): Promise<void> {
        return Promise.resolve();
      }
    }
    const module = { Client: FakeRfcClient };
    return {
      options: {
        ashost: 'sap.example',
        sysnr: '00',
        client: '100',
        user: 'RFC_IDOC',
        password: RFC_PASSWORD,
      },
      secrets: [RFC_PASSWORD],
      deps: {
        importModule: (name: string) => (name === 'node-rfc' ? Promise.resolve(module) : Promise.reject()),
      },
      delivery: flatDelivery,
      expectedBytes: (d) => Buffer.from(JSON.stringify(buildRfcTables(d.body as string).tables)),
      received: () =>
        calls.map((c) => ({ body: Buffer.from(JSON.stringify(c.args)), headers: { fn: c.fn } })),
      checkReceived(request) {
        expect(request.headers['fn']).toBe('IDOC_INBOUND_ASYNCHRONOUS');
        const last = calls[calls.length - 1]!;
        expect(last.params).toMatchObject({
          ashost: 'sap.example',
          sysnr: '00',
          client: '100',
          user: 'RFC_IDOC',
        });
      },
      async induce(failure) {
        switch (failure) {
          case 'server-error':
            behaviour = 'communication';
            return {};
          case 'client-error':
            behaviour = 'abap';
            return {};
          case 'auth':
            behaviour = 'logon';
            return {};
          case 'hang':
            behaviour = 'hang';
            return { timeout: 150 };
          case 'refused':
            behaviour = 'refused';
            return {};
          default:
            return undefined;
        }
      },
      reset: () => {
        behaviour = 'ok';
      },
      teardown: async () => undefined,
    };
  },
});
