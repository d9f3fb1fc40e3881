/**
 * IDoc-SOAP: SAP's `/sap/bc/srt/idoc` style. A SOAP 1.1 or 1.2 envelope whose Body holds one
 * IDoc-XML document, its root in the namespace `urn:sap-com:document:sap:idoc:soap:messages`.
 * With that namespace SAP allows one IDoc per request and needs a message id in EDI_DC40-ARCKEY
 * (`urn:sap.com:msgid=<32 hex>`), else message EA728; we report both as issues so the gateway
 * decides. Answers of our own SOAP endpoint: writeSoapResponse / writeSoapFault (see docs/xml.md).
 */
import { createHash } from 'node:crypto';
import type { ErrorCode, Issue } from '../errors.js';
import { ERROR_CATALOGUE, IdocgateError } from '../errors.js';
import { CONTROL_FIELDS } from './model.js';
import type { ControlRecord, Idoc } from './model.js';
import { IDOC_SOAP_NAMESPACE, IdocXmlBuilder } from './xml-builder.js';
import type { ParseXmlOptions } from './xml-reader.js';
import { readXmlText, resolveLimits } from './xml-reader.js';
import type { XmlHandler } from './xml-scanner.js';
import { scanXml } from './xml-scanner.js';
import { escapeXml, writeXml } from './xml-writer.js';

/** The prefix of an IDoc-SOAP message id in EDI_DC40-ARCKEY. */
export const SOAP_MSGID_PREFIX = 'urn:sap.com:msgid=';

/**
 * The ARCKEY value for a gateway message id: `urn:sap.com:msgid=` + 32 upper-case hex digits.
 * A UUID keeps its digits; any other id is hashed (SHA-256, first 128 bits). Deterministic, so
 * every retry of the same message carries the same id and SAP drops duplicates.
 */
export function soapMessageId(messageId: string): string {
  const hex = messageId.replace(/-/g, '');
  const digits = /^[0-9a-fA-F]{32}$/.test(hex)
    ? hex
    : createHash('sha256').update(messageId, 'utf8').digest('hex').slice(0, 32);
  return `${SOAP_MSGID_PREFIX}${digits.toUpperCase()}`;
}

export { IDOC_SOAP_NAMESPACE };

export type SoapVersion = '1.1' | '1.2';

export const SOAP_NAMESPACES: Readonly<Record<SoapVersion, string>> = {
  '1.1': 'http://schemas.xmlsoap.org/soap/envelope/',
  '1.2': 'http://www.w3.org/2003/05/soap-envelope',
};

/** ARCKEY prefix of an IDoc-SOAP message id. */
export const MSGID_PREFIX = 'urn:sap.com:msgid=';

export interface ParseSoapResult {
  readonly idocs: Idoc[];
  readonly issues: Issue[];
  readonly soapVersion: SoapVersion;
  /** The 32-hex message id of each IDoc from ARCKEY, '' when there is none. */
  readonly messageIds: string[];
}

function soapError(message: string): IdocgateError {
  return new IdocgateError('IDOC_SOAP_FAULT', message);
}

function local(name: string): { prefix: string; local: string } {
  const i = name.indexOf(':');
  return i === -1 ? { prefix: '', local: name } : { prefix: name.slice(0, i), local: name.slice(i + 1) };
}

/** Follows Envelope/Header/Body and hands the Body's element to an IdocXmlBuilder. */
class SoapHandler implements XmlHandler {
  depth = 0;
  version: SoapVersion | undefined;
  builder: IdocXmlBuilder | undefined;
  private readonly scopes: Record<string, string>[] = [];
  private inBody = false;
  private bodySeen = false;

  openElement(name: string, attrs: readonly string[], pos: number): void {
    const depth = this.depth++;
    if (depth >= 3 || (depth === 2 && !this.inBody)) {
      // Inside the IDoc root, or inside the Header (ignored).
      if (this.builder && this.inBody) this.builder.openElement(name, attrs, pos);
      return;
    }
    const scope = { ...(this.scopes[this.scopes.length - 1] ?? {}) };
    for (let i = 0; i < attrs.length; i += 2) {
      const a = attrs[i]!;
      if (a === 'xmlns') scope[''] = attrs[i + 1]!;
      else if (a.startsWith('xmlns:')) scope[a.slice(6)] = attrs[i + 1]!;
    }
    const { prefix, local: name0 } = local(name);
    const ns = scope[prefix];
    if (depth === 0) {
      const version =
        ns === SOAP_NAMESPACES['1.1'] ? '1.1' : ns === SOAP_NAMESPACES['1.2'] ? '1.2' : undefined;
      if (name0 !== 'Envelope' || version === undefined) {
        throw soapError(
          name0 === 'Envelope'
            ? `The SOAP envelope has an unknown namespace "${ns ?? ''}" (expected SOAP 1.1 or 1.2)`
            : `The root element <${name}> is not a SOAP Envelope`,
        );
      }
      this.version = version;
    } else if (depth === 1) {
      if (ns !== SOAP_NAMESPACES[this.version!] || (name0 !== 'Header' && name0 !== 'Body')) {
        throw soapError(`<${name}> is not allowed directly in the SOAP Envelope (only Header and Body)`);
      }
      if (name0 === 'Body') {
        if (this.bodySeen) throw soapError('The SOAP envelope has two Body elements');
        this.bodySeen = true;
        this.inBody = true;
      }
    } else {
      // depth 2 in the Body: the IDoc-XML root.
      if (name0 === 'Fault' && ns === SOAP_NAMESPACES[this.version!]) {
        throw soapError('The SOAP Body holds a Fault, not an IDoc');
      }
      if (this.builder) throw soapError('The SOAP Body holds more than one element; IDoc-SOAP carries one');
      this.builder = new IdocXmlBuilder(this.scopes[this.scopes.length - 1] ?? {}, false);
      this.builder.openElement(name, attrs, pos);
      return;
    }
    this.scopes.push(scope);
  }

  closeElement(name: string): void {
    const depth = --this.depth;
    if (this.builder && depth >= 2 && this.inBody) {
      this.builder.closeElement();
      return;
    }
    if (depth === 1) {
      this.inBody = false;
      this.scopes.pop();
    } else if (depth === 0) {
      this.scopes.pop();
    }
    void name;
  }

  text(src: string, start: number, end: number, decoded: string | null): void {
    if (this.builder && this.depth >= 3 && this.inBody) this.builder.text(src, start, end, decoded);
  }

  cdata(value: string): void {
    if (this.builder && this.depth >= 3 && this.inBody) this.builder.cdata(value);
  }
}

/**
 * Reads an IDoc-SOAP request. Throws IdocgateError for broken envelopes (IDOC_SOAP_FAULT) and
 * for the same problems as parseXml; SAP's EA728 rules come back as error issues
 * `MULTIPLE_IDOCS_NOT_ALLOWED` and `SOAP_MSGID_INITIAL`.
 */
export function parseSoap(input: string | Uint8Array, opts: ParseXmlOptions = {}): ParseSoapResult {
  const limits = resolveLimits(opts.limits);
  const text = readXmlText(input, limits);
  const handler = new SoapHandler();
  scanXml(text, handler, limits);
  if (handler.builder === undefined) throw soapError('The SOAP envelope has no Body content (no IDoc)');
  const { idocs, issues } = handler.builder.finish();
  const messageIds = idocs.map((d) => {
    const arckey = (d.control.ARCKEY ?? '').trim();
    return arckey.startsWith(MSGID_PREFIX) ? arckey.slice(MSGID_PREFIX.length).trim() : '';
  });
  if (handler.builder.namespace === IDOC_SOAP_NAMESPACE) {
    if (idocs.length > 1) {
      issues.push({
        code: 'MULTIPLE_IDOCS_NOT_ALLOWED',
        message: `The request holds ${idocs.length} IDocs; with namespace ${IDOC_SOAP_NAMESPACE} only one IDoc per request is allowed (SAP message EA728)`,
        severity: 'error',
        details: { idocs: idocs.length },
      });
    }
    messageIds.forEach((id, i) => {
      if (id === '') {
        issues.push({
          code: 'SOAP_MSGID_INITIAL',
          message: `IDoc ${i + 1} has no message id: EDI_DC40-ARCKEY must be "${MSGID_PREFIX}<32 hex>" (SAP message EA728)`,
          path: `idoc[${i}]/EDI_DC40.ARCKEY`,
          severity: 'error',
        });
      }
    });
  }
  return { idocs, issues, soapVersion: handler.version!, messageIds };
}

export interface WriteSoapOptions {
  readonly soapVersion?: SoapVersion;
  /** 32 hex digits; sets ARCKEY to `urn:sap.com:msgid=<id>` (overrides an ARCKEY in the IDoc). */
  readonly messageId?: string;
  /** Makes a message id when the IDoc has no ARCKEY and none is given (default: random UUID hex). */
  readonly newMessageId?: () => string;
  /** Namespace of the IDoc root (default: the IDoc-SOAP namespace). */
  readonly namespace?: string;
  /** Spaces per level (default 2, 0 = one line). */
  readonly indent?: number;
}

const HEX32 = /^[0-9A-Fa-f]{32}$/;

function randomMessageId(): string {
  return globalThis.crypto.randomUUID().replaceAll('-', '').toUpperCase();
}

/** The control record with ARCKEY set, in SAP field order when it has to be added. */
function withArckey(control: ControlRecord, arckey: string): ControlRecord {
  if (control.ARCKEY !== undefined) return { ...control, ARCKEY: arckey };
  const at = CONTROL_FIELDS.indexOf('ARCKEY');
  const out: Record<string, string> = {};
  let placed = false;
  for (const [k, v] of Object.entries(control)) {
    if (!placed && CONTROL_FIELDS.indexOf(k as (typeof CONTROL_FIELDS)[number]) > at) {
      out.ARCKEY = arckey;
      placed = true;
    }
    out[k] = v;
  }
  if (!placed) out.ARCKEY = arckey;
  return out as ControlRecord;
}

function envelope(version: SoapVersion, body: string, indent: number): string {
  const br = indent > 0 ? '\n' : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>${br}` +
    `<soap:Envelope xmlns:soap="${SOAP_NAMESPACES[version]}">${br}` +
    `<soap:Header/>${br}<soap:Body>${br}${body}${body === '' ? '' : br}</soap:Body>${br}</soap:Envelope>${br}`
  );
}

/**
 * An IDoc-SOAP request for one IDoc. ARCKEY is set to `urn:sap.com:msgid=<32 hex>` when it is
 * absent or blank (or when `messageId` is given); the input IDoc is not changed.
 */
export function writeSoap(idoc: Idoc, opts: WriteSoapOptions = {}): string {
  const version = opts.soapVersion ?? '1.1';
  const indent = opts.indent ?? 2;
  let control = idoc.control;
  const current = (control.ARCKEY ?? '').trim();
  if (opts.messageId !== undefined || current === '') {
    const id = opts.messageId ?? (opts.newMessageId ?? randomMessageId)();
    if (!HEX32.test(id)) throw new RangeError(`A message id must be 32 hex digits, got "${id}"`);
    control = withArckey(control, MSGID_PREFIX + id.toUpperCase());
  }
  const body = writeXml(
    { ...idoc, control },
    { declaration: false, indent, namespace: opts.namespace ?? IDOC_SOAP_NAMESPACE },
  );
  return envelope(version, body.trimEnd(), indent);
}

/** HTTP Content-Type for a SOAP message of this version. */
export function soapContentType(version: SoapVersion = '1.1'): string {
  return version === '1.1' ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8';
}

/** Our SOAP endpoint's answer to an accepted IDoc: an envelope with an empty Body (HTTP 200). */
export function writeSoapResponse(opts: { soapVersion?: SoapVersion } = {}): string {
  return envelope(opts.soapVersion ?? '1.1', '', 2);
}

/** Whether a fault is the sender's fault (Client/Sender) or ours (Server/Receiver). */
function isSenderFault(code: string): boolean {
  const spec = (ERROR_CATALOGUE as Readonly<Record<string, { verdict: string; httpStatus: number }>>)[code];
  return spec !== undefined && spec.verdict === 'permanent' && spec.httpStatus < 500;
}

/** HTTP status for a SOAP fault: 500 in SOAP 1.1 (WS-I Basic Profile), 400/500 in SOAP 1.2. */
export function soapFaultHttpStatus(code: string, version: SoapVersion = '1.1'): number {
  return version === '1.2' && isSenderFault(code) ? 400 : 500;
}

/**
 * A SOAP Fault naming one of our error codes (`code`, e.g. `IDOC_NOT_WELL_FORMED_XML`) with a
 * human-readable text. The code also goes into the fault detail for machines.
 */
export function writeSoapFault(
  code: ErrorCode | string,
  text: string,
  opts: { soapVersion?: SoapVersion } = {},
): string {
  const version = opts.soapVersion ?? '1.1';
  const sender = isSenderFault(code);
  const detail = `<idocgate:error xmlns:idocgate="urn:idocgate:soap:fault"><idocgate:code>${escapeXml(code)}</idocgate:code></idocgate:error>`;
  const fault =
    version === '1.1'
      ? `<soap:Fault><faultcode>soap:${sender ? 'Client' : 'Server'}</faultcode><faultstring>${escapeXml(text)}</faultstring><detail>${detail}</detail></soap:Fault>`
      : `<soap:Fault><soap:Code><soap:Value>soap:${sender ? 'Sender' : 'Receiver'}</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="en">${escapeXml(text)}</soap:Text></soap:Reason><soap:Detail>${detail}</soap:Detail></soap:Fault>`;
  return envelope(version, fault, 2);
}
