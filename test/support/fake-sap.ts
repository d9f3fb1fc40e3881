/**
 * A tiny fake SAP for tests: a real HTTP server on 127.0.0.1 with the two inbound IDoc services
 *
 *   POST /sap/bc/idoc_xml?sap-client=NNN   IDoc-XML (XML-HTTP port)      -> 200
 *   POST /sap/bc/srt/idoc?sap-client=NNN   IDoc-SOAP (one IDoc, ARCKEY)  -> 200 + empty SOAP envelope
 *
 * It checks basic auth and sap-client like SAP (401 + logon page), records what it received,
 * drops SOAP duplicates by ARCKEY message id like SAP, and can be told to fail the next N
 * requests with 503, 500 or 400 (SOAP: as a SOAP fault) or to answer late.
 * The exact body of SAP's SOAP success response was not found in public sources (UNSURE).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSapBehaviour {
  /** Fail this many of the next requests (after auth) with `status`. */
  failFirst?: number;
  status?: 400 | 429 | 500 | 503;
  /** Retry-After header value sent with failures. */
  retryAfter?: string;
  /** Wait this long before answering (timeouts); the answer is dropped when the client gives up. */
  delayMs?: number;
}

export interface FakeSapOptions extends FakeSapBehaviour {
  /** Port on 127.0.0.1 (default: a free one). */
  port?: number;
  username?: string;
  password?: string;
  client?: string;
}

export interface FakeSapRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** Status this request was answered with. */
  status: number;
  /** IDoc-SOAP: ARCKEY message id, and whether SAP had already seen it. */
  readonly msgid?: string;
  readonly duplicate?: boolean;
}

export interface FakeSap {
  /** XML-HTTP service URL with sap-client. */
  readonly url: string;
  /** IDoc-SOAP service URL with sap-client. */
  readonly soapUrl: string;
  readonly username: string;
  readonly password: string;
  readonly client: string;
  /** Requests that passed authentication, in order. */
  readonly received: FakeSapRequest[];
  /** Requests rejected at logon (wrong credentials or client). */
  readonly rejectedLogons: number;
  setBehaviour(behaviour: FakeSapBehaviour): void;
  close(): Promise<void>;
}

const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

function soapFault(code: 'Client' | 'Server', text: string): string {
  return (
    `<soap-env:Envelope xmlns:soap-env="${SOAP_NS}"><soap-env:Header/><soap-env:Body>` +
    `<soap-env:Fault><faultcode>soap-env:${code}</faultcode>` +
    `<faultstring xml:lang="en">${text}</faultstring></soap-env:Fault>` +
    `</soap-env:Body></soap-env:Envelope>`
  );
}

const SOAP_OK = `<soap-env:Envelope xmlns:soap-env="${SOAP_NS}"><soap-env:Header/><soap-env:Body/></soap-env:Envelope>`;

const LOGON_PAGE =
  '<html><head><title>Logon Error Message</title></head><body>Logon failed: user name or password is incorrect</body></html>';

export async function startFakeSap(options: FakeSapOptions = {}): Promise<FakeSap> {
  const username = options.username ?? 'IDOCGATE';
  const password = options.password ?? 'fake-sap-secret-1';
  const client = options.client ?? '100';
  let behaviour: FakeSapBehaviour = { ...options };
  let failuresLeft = behaviour.failFirst ?? 0;
  let rejectedLogons = 0;
  const received: FakeSapRequest[] = [];
  const seenMsgIds = new Set<string>();
  const expectedAuth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://fake-sap');
      const query = Object.fromEntries(url.searchParams);
      const isSoap = url.pathname === '/sap/bc/srt/idoc';
      const isXml = url.pathname === '/sap/bc/idoc_xml';
      const answer = (
        status: number,
        text: string,
        type: string,
        headers: Record<string, string> = {},
      ): void => {
        const send = (): void => {
          if (res.destroyed) return;
          res.writeHead(status, { 'content-type': type, ...headers });
          res.end(text);
        };
        if (behaviour.delayMs !== undefined && behaviour.delayMs > 0)
          setTimeout(send, behaviour.delayMs).unref();
        else send();
      };
      if (req.method !== 'POST' || (!isSoap && !isXml)) {
        answer(404, 'not found', 'text/plain');
        return;
      }
      if (req.headers.authorization !== expectedAuth || (query['sap-client'] ?? client) !== client) {
        rejectedLogons++;
        answer(401, LOGON_PAGE, 'text/html', {
          'www-authenticate': `Basic realm="SAP NetWeaver Application Server [FAK/${client}]"`,
        });
        return;
      }
      const text = body.toString('utf8');
      const msgid = isSoap
        ? /<ARCKEY>\s*(urn:sap\.com:msgid=[^<\s]*)\s*<\/ARCKEY>/.exec(text)?.[1]
        : undefined;
      const record: FakeSapRequest = {
        path: url.pathname,
        query,
        headers: req.headers,
        body,
        status: 0,
        ...(msgid !== undefined ? { msgid, duplicate: seenMsgIds.has(msgid) } : {}),
      };
      received.push(record);
      const reply = (
        status: number,
        out: string,
        type: string,
        headers: Record<string, string> = {},
      ): void => {
        record.status = status;
        answer(status, out, type, headers);
      };
      if (failuresLeft > 0) {
        failuresLeft--;
        const status = behaviour.status ?? 503;
        const headers: Record<string, string> =
          behaviour.retryAfter !== undefined ? { 'retry-after': behaviour.retryAfter } : {};
        if (isSoap && (status === 500 || status === 400)) {
          const fault =
            status === 500
              ? soapFault('Server', 'Internal server error: RESOURCE_FAILURE (fake SAP told to fail)')
              : soapFault('Client', 'IDoc could not be parsed (fake SAP told to fail)');
          reply(500, fault, 'text/xml; charset=utf-8', headers);
        } else {
          reply(status, `<html><body>fake SAP failure ${status}</body></html>`, 'text/html', headers);
        }
        return;
      }
      if (isXml) {
        if (!/<IDOC[\s>]/.test(text) || !text.includes('EDI_DC40')) {
          reply(400, '<html><body>No IDoc found in the XML document</body></html>', 'text/html');
          return;
        }
        reply(200, '', 'text/html');
        return;
      }
      // IDoc-SOAP
      if ((text.match(/<IDOC[\s>]/g) ?? []).length > 1) {
        reply(500, soapFault('Client', 'EA728 MULTIPLE_IDOCS_NOT_ALLOWED'), 'text/xml; charset=utf-8');
        return;
      }
      if (msgid === undefined || msgid === 'urn:sap.com:msgid=') {
        reply(500, soapFault('Client', 'EA728 SOAP_MSGID_INITIAL'), 'text/xml; charset=utf-8');
        return;
      }
      seenMsgIds.add(msgid);
      reply(200, SOAP_OK, 'text/xml; charset=utf-8');
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/sap/bc/idoc_xml?sap-client=${client}`,
    soapUrl: `${base}/sap/bc/srt/idoc?sap-client=${client}`,
    username,
    password,
    client,
    received,
    get rejectedLogons() {
      return rejectedLogons;
    },
    setBehaviour(b) {
      behaviour = { ...b };
      failuresLeft = b.failFirst ?? 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
