/**
 * Reading SOAP faults from SAP's IDoc-SOAP service and deciding whether retrying can help.
 * Pure: no I/O. SOAP 1.1 (`faultcode`/`faultstring`) and 1.2 (`Code/Value`, `Reason/Text`).
 */
import type { ErrorCode } from '../errors.js';

export interface SoapFault {
  /** Local part of the fault code: `Client`, `Server`, `Sender`, `Receiver`, ... */
  readonly code: string;
  readonly reason: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&(lt|gt|amp|quot|apos);/g, (_, n: string) => ENTITIES[n] ?? '')
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .trim();
}

function element(xml: string, local: string): string | undefined {
  const re = new RegExp(
    `<(?:[A-Za-z_][\\w.-]*:)?${local}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[A-Za-z_][\\w.-]*:)?${local}>`,
  );
  return re.exec(xml)?.[1];
}

/** The fault in a SOAP response body, or undefined when there is none. */
export function parseSoapFault(body: string): SoapFault | undefined {
  const fault = element(body, 'Fault');
  if (fault === undefined) return undefined;
  // SOAP 1.1
  const code11 = element(fault, 'faultcode');
  const reason11 = element(fault, 'faultstring');
  // SOAP 1.2: <Code><Value>env:Receiver</Value></Code> <Reason><Text>...</Text></Reason>
  const code12 = element(element(fault, 'Code') ?? '', 'Value');
  const reason12 = element(element(fault, 'Reason') ?? '', 'Text');
  const rawCode = decode(code11 ?? code12 ?? '');
  const local = rawCode.includes(':') ? rawCode.slice(rawCode.lastIndexOf(':') + 1) : rawCode;
  const detail = element(fault, 'detail') ?? element(fault, 'Detail') ?? '';
  const reason = decode(reason11 ?? reason12 ?? '') || decode(detail.replace(/<[^>]+>/g, ' '));
  return { code: local, reason };
}

/** Fault texts that retrying will not fix, whatever the fault code says. */
const PERMANENT_MARKERS = [
  /MULTIPLE_IDOCS_NOT_ALLOWED/i,
  /SOAP_MSGID_INITIAL/i,
  /\bEA\s?728\b/i,
  /partner profile/i,
  /not authori[sz]ed|no authori[sz]ation|authori[sz]ation missing/i,
  /logon|password/i,
  /parse|not well-formed|invalid xml|XML.*error/i,
  /unknown (idoc|basic) type|segment .* unknown|no (idoc )?type/i,
];

/** Fault texts that describe a passing condition (locks, resources, system restarts). */
const TRANSIENT_MARKERS = [
  /\block(ed)?\b|enqueue/i,
  /time[- ]?out/i,
  /not available|unavailable|temporar/i,
  /SYSTEM_FAILURE|RESOURCE_FAILURE|COMMUNICATION_FAILURE/i,
  /no (free )?work process|overload|too many/i,
];

/** Chooses the catalogue code for a fault: Client/Sender are permanent, Server/Receiver transient. */
export function classifySoapFault(fault: SoapFault): ErrorCode {
  if (PERMANENT_MARKERS.some((re) => re.test(fault.reason))) return 'TRANSPORT_SOAP_FAULT';
  if (TRANSIENT_MARKERS.some((re) => re.test(fault.reason))) return 'TRANSPORT_SOAP_FAULT_TRANSIENT';
  const code = fault.code.toLowerCase();
  if (code === 'server' || code === 'receiver' || code.startsWith('server.'))
    return 'TRANSPORT_SOAP_FAULT_TRANSIENT';
  return 'TRANSPORT_SOAP_FAULT';
}
