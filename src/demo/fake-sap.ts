/**
 * A tiny fake SAP for the demo (`npm start` with no config, src/demo/demo.ts) and the tests: a real
 * HTTP server on 127.0.0.1 with the two inbound IDoc services
 *
 *   POST /sap/bc/idoc_xml?sap-client=NNN   IDoc-XML (XML-HTTP port)      -> 200
 *   POST /sap/bc/srt/idoc?sap-client=NNN   IDoc-SOAP (one IDoc, ARCKEY)  -> 200 + empty SOAP envelope
 *
 * It checks basic auth and sap-client like SAP (401 + logon page), records what it received,
 * drops SOAP duplicates by ARCKEY message id like SAP, and can be told to fail the next N
 * requests with 503, 500 or 400 (SOAP: as a SOAP fault) or to answer late.
 * The exact body of SAP's SOAP success response was not found in public sources (UNSURE).
 *
 * Like an SAP system it also *posts* what it takes: every IDoc gets an inbound IDoc number of
 * its own and an application status — 53 with a material document (BUS2017), or 51 with an SAP
 * message when `reject` says so — and, with `setAudit`, sends SAP's ALE audit (ALEAUD01, as
 * report RBDSTATE does for the sending logical system) or STATUS (SYSTAT01) back to the gateway's
 * SAP edge over HTTP. It can drop the connection after reading a body (the IDoc is created, the
 * answer lost), drop XML-HTTP repeats by the sender's DOCNUM when told to, and reprocess an IDoc
 * (BD87) after a fix. Layouts: docs/sap-status-sources.md.
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
  /** Answer only once this settles (SAP busy): requests pile up meanwhile. */
  hold?: Promise<void>;
  /** Create the IDoc(s) of the next N requests, then drop the connection without an answer. */
  dropAfterBody?: number;
  /** XML-HTTP: drop an IDoc whose sender and DOCNUM SAP already has (default false: SAP posts it again). */
  dedupXml?: boolean;
  /** The application's verdict per IDoc: an error makes it status 51 with this message. */
  reject?: (idoc: FakeSapIdocInfo) => FakeSapError | undefined;
}

export interface FakeSapIdocInfo {
  readonly senderDocnum: string;
  readonly messageType: string;
  readonly idocType: string;
  /** The IDoc's XML (its <IDOC> element). */
  readonly xml: string;
}

/** An SAP message (class, number, text with & placeholders, parameters). */
export interface FakeSapError {
  readonly text: string;
  readonly id?: string;
  readonly number?: string;
  readonly params?: readonly string[];
}

/** An inbound IDoc as SAP holds it (WE02). */
export interface FakeSapIdoc extends FakeSapIdocInfo {
  /** SAP's own inbound IDoc number. */
  readonly sapDocnum: string;
  readonly sender: string;
  readonly receiver: string;
  status: '53' | '51' | '68';
  message: Required<FakeSapError>;
  /** Material document number + year when posted. */
  document?: string;
  /** Statuses not yet reported back by the ALE audit. */
  unreported: boolean;
}

/**
 * Where SAP sends its ALE audit / STATUS: the gateway's SAP edge and SAP's own credentials there,
 * or (tests without an HTTP server) a function that hands the document to the gateway's ingest.
 */
export type FakeSapAudit = (
  | { readonly url: string; readonly username: string; readonly password: string }
  | { readonly send: (xml: string) => Promise<number> }
) & {
  readonly kind?: 'ALEAUD' | 'STATUS';
  /** Send after each posting (default true), like RBDSTATE scheduled often; else call sendAudit(). */
  readonly auto?: boolean;
};

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
  /** Inbound IDocs SAP created (WE02), in order; a dropped duplicate creates none. */
  readonly idocs: FakeSapIdoc[];
  /** ALE audit / STATUS IDocs SAP sent, with the gateway's HTTP status. */
  readonly audits: { readonly xml: string; readonly status: number }[];
  setBehaviour(behaviour: FakeSapBehaviour): void;
  setAudit(audit: FakeSapAudit | undefined): void;
  /** RBDSTATE: reports every IDoc whose status changed since the last run. Resolves to the count. */
  sendAudit(): Promise<number>;
  /** BD87 after a fix in SAP: posts the IDoc with this sender DOCNUM again (53) and reports it. */
  reprocess(senderDocnum: string): Promise<void>;
  /** BD87 "no further processing": the IDoc goes to status 68 and is reported. */
  noFurtherProcessing(senderDocnum: string): Promise<void>;
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

const tag = (xml: string, name: string): string =>
  new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]?.trim() ?? '';

const esc = (v: string): string => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const el = (name: string, value: string | undefined): string =>
  value === undefined || value === '' ? '' : `<${name}>${esc(value)}</${name}>`;

/** The <IDOC> elements of an IDoc-XML or IDoc-SOAP document. */
function idocElements(text: string): string[] {
  return text.match(/<IDOC[\s>][\s\S]*?<\/IDOC>/g) ?? [];
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function sapNow(): { date: string; time: string } {
  const d = new Date();
  return {
    date: `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`,
    time: `${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}`,
  };
}

/** E1STATE (ALEAUD01) or E1STATS (SYSTAT01) of one IDoc, as SAP writes them. */
function stateXml(kind: 'ALEAUD' | 'STATUS', i: FakeSapIdoc): string {
  const m = i.message;
  const p = [...m.params, '', '', '', ''].slice(0, 4);
  const common =
    el('STATUS', i.status) +
    el('STATXT', m.text) +
    (kind === 'ALEAUD' ? p.map((v, n) => el(`STAPA${n + 1}`, v.slice(0, 20))).join('') : '') +
    el('STATYP', i.status === '53' ? 'S' : 'E') +
    el('STAMID', m.id) +
    el('STAMNO', m.number);
  if (kind === 'STATUS') {
    const { date, time } = sapNow();
    return (
      `<E1STATS SEGMENT="1">${el('TABNAM', 'EDI_DS40')}${el('DOCNUM', i.senderDocnum)}${el('LOGDAT', date)}` +
      `${el('LOGTIM', time)}${common}${p.map((v, n) => el(`STAPA${n + 1}`, v)).join('')}</E1STATS>`
    );
  }
  const objects =
    i.document !== undefined
      ? `<E1PRTOB SEGMENT="1">${el('DOCNUM', i.sapDocnum)}${el('OBJTYPE', 'BUS2017')}${el('OBJKEY', i.document)}</E1PRTOB>`
      : `<E1PRTOB SEGMENT="1">${el('DOCNUM', i.sapDocnum)}</E1PRTOB>`;
  return (
    `<E1STATE SEGMENT="1">${el('DOCNUM', i.senderDocnum)}${common}` +
    `${p.map((v, n) => el(`STAPA${n + 1}_LNG`, v)).join('')}${objects}</E1STATE>`
  );
}

/** One ALEAUD01 / SYSTAT01 IDoc-XML document about `idocs` (all from one sender to one receiver). */
function auditXml(kind: 'ALEAUD' | 'STATUS', docnum: string, idocs: readonly FakeSapIdoc[]): string {
  const first = idocs[0]!;
  const { date, time } = sapNow();
  const idoctyp = kind === 'ALEAUD' ? 'ALEAUD01' : 'SYSTAT01';
  const control =
    `<EDI_DC40 SEGMENT="1">${el('TABNAM', 'EDI_DC40')}${el('MANDT', '100')}${el('DOCNUM', docnum)}` +
    `${el('DOCREL', '756')}${el('STATUS', '30')}${el('DIRECT', '1')}${el('OUTMOD', '2')}${el('IDOCTYP', idoctyp)}` +
    `${el('MESTYP', kind)}${el('SNDPOR', 'SAPS4H')}${el('SNDPRT', 'LS')}${el('SNDPRN', first.receiver)}` +
    `${el('RCVPOR', 'IDOCGATE')}${el('RCVPRT', 'LS')}${el('RCVPRN', first.sender)}${el('CREDAT', date)}` +
    `${el('CRETIM', time)}</EDI_DC40>`;
  let body: string;
  if (kind === 'ALEAUD') {
    const byType = new Map<string, FakeSapIdoc[]>();
    for (const i of idocs) byType.set(i.messageType, [...(byType.get(i.messageType) ?? []), i]);
    body = [...byType]
      .map(
        ([mestyp, list]) =>
          `<E1ADHDR SEGMENT="1">${el('MESTYP', mestyp.slice(0, 6))}${el('MESTYP_LNG', mestyp)}` +
          `${list.map((i) => stateXml(kind, i)).join('')}</E1ADHDR>`,
      )
      .join('');
  } else {
    body = idocs.map((i) => stateXml(kind, i)).join('');
  }
  return `<?xml version="1.0" encoding="UTF-8"?><${idoctyp}><IDOC BEGIN="1">${control}${body}</IDOC></${idoctyp}>`;
}

const POSTED: Required<FakeSapError> = {
  text: 'Document & posted',
  id: 'M7',
  number: '060',
  params: [],
};

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
  const idocs: FakeSapIdoc[] = [];
  const audits: { xml: string; status: number }[] = [];
  let audit: FakeSapAudit | undefined;
  let drops = behaviour.dropAfterBody ?? 0;
  let nextSapDocnum = 900_000;
  let nextMatdoc = 4_900_000_000;
  let auditTimer: NodeJS.Timeout | undefined;
  let auditRun: Promise<number> = Promise.resolve(0);

  /** The application posts (53) or rejects (51) one IDoc. */
  const post = (i: FakeSapIdoc): void => {
    const error = behaviour.reject?.(i);
    if (error === undefined) {
      i.status = '53';
      i.document = `${nextMatdoc++}${new Date().getUTCFullYear()}`;
      i.message = { ...POSTED, params: [i.document.slice(0, 10)] };
    } else {
      i.status = '51';
      delete i.document;
      i.message = { id: 'M7', number: '000', params: [], ...error };
    }
    i.unreported = true;
  };

  /** Creates (and posts) the inbound IDocs of a request; false when every one was a dropped repeat. */
  const createIdocs = (text: string): void => {
    for (const xml of idocElements(text)) {
      const info: FakeSapIdocInfo = {
        senderDocnum: tag(xml, 'DOCNUM'),
        messageType: tag(xml, 'MESTYP'),
        idocType: tag(xml, 'IDOCTYP'),
        xml,
      };
      const sender = tag(xml, 'SNDPRN');
      if (
        behaviour.dedupXml === true &&
        idocs.some((i) => i.sender === sender && i.senderDocnum === info.senderDocnum)
      )
        continue;
      const idoc: FakeSapIdoc = {
        ...info,
        sapDocnum: String(nextSapDocnum++).padStart(16, '0'),
        sender,
        receiver: tag(xml, 'RCVPRN'),
        status: '53',
        message: POSTED,
        unreported: true,
      };
      post(idoc);
      idocs.push(idoc);
    }
    if (audit?.auto !== false && audit !== undefined) {
      clearTimeout(auditTimer);
      auditTimer = setTimeout(() => void sendAudit(), 20);
    }
  };

  const sendOne = async (target: FakeSapAudit, list: FakeSapIdoc[]): Promise<void> => {
    const xml = auditXml(target.kind ?? 'ALEAUD', String(nextSapDocnum++).padStart(16, '0'), list);
    if ('send' in target) {
      const status = await target.send(xml).catch(() => 0);
      audits.push({ xml, status });
      if (status === 200) for (const i of list) i.unreported = false;
      return;
    }
    const res = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/xml',
        authorization: `Basic ${Buffer.from(`${target.username}:${target.password}`).toString('base64')}`,
      },
      body: xml,
    }).catch(() => undefined);
    await res?.text();
    audits.push({ xml, status: res?.status ?? 0 });
    if (res !== undefined && res.ok) for (const i of list) i.unreported = false;
  };

  const sendAudit = (): Promise<number> => {
    auditRun = auditRun.then(async () => {
      const target = audit;
      const due = idocs.filter((i) => i.unreported);
      if (target === undefined || due.length === 0) return 0;
      const groups = new Map<string, FakeSapIdoc[]>();
      for (const i of due)
        groups.set(`${i.sender}|${i.receiver}`, [...(groups.get(`${i.sender}|${i.receiver}`) ?? []), i]);
      for (const list of groups.values()) await sendOne(target, list);
      return due.length;
    });
    return auditRun;
  };
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
        if (behaviour.hold !== undefined) void behaviour.hold.then(send);
        else if (behaviour.delayMs !== undefined && behaviour.delayMs > 0)
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
      /** The IDocs were created; the connection goes down before the answer. */
      const dropped = (): boolean => {
        if (drops <= 0) return false;
        drops--;
        record.status = -1;
        req.socket.destroy();
        return true;
      };
      if (isXml) {
        if (!/<IDOC[\s>]/.test(text) || !text.includes('EDI_DC40')) {
          reply(400, '<html><body>No IDoc found in the XML document</body></html>', 'text/html');
          return;
        }
        createIdocs(text);
        if (dropped()) return;
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
      if (!seenMsgIds.has(msgid)) createIdocs(text);
      seenMsgIds.add(msgid);
      if (dropped()) return;
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
    idocs,
    audits,
    setBehaviour(b) {
      behaviour = { ...b };
      failuresLeft = b.failFirst ?? 0;
      drops = b.dropAfterBody ?? 0;
    },
    setAudit(a) {
      audit = a;
    },
    sendAudit,
    async reprocess(senderDocnum) {
      const i = idocs.filter((x) => x.senderDocnum === senderDocnum).at(-1);
      if (i === undefined) throw new Error(`fake SAP has no IDoc with sender DOCNUM ${senderDocnum}`);
      const keep = behaviour;
      const { reject: _fixed, ...rest } = behaviour;
      behaviour = rest;
      post(i);
      behaviour = keep;
      if (audit !== undefined && audit.auto !== false) await sendAudit();
    },
    async noFurtherProcessing(senderDocnum) {
      const i = idocs.filter((x) => x.senderDocnum === senderDocnum).at(-1);
      if (i === undefined) throw new Error(`fake SAP has no IDoc with sender DOCNUM ${senderDocnum}`);
      i.status = '68';
      delete i.document;
      i.message = {
        text: 'IDoc set to status 68: no further processing',
        id: 'E0',
        number: '000',
        params: [],
      };
      i.unreported = true;
      if (audit !== undefined && audit.auto !== false) await sendAudit();
    },
    close: async () => {
      clearTimeout(auditTimer);
      await auditRun.catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
