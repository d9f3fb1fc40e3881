/**
 * EPC URIs (GS1 Tag Data Standard pure-identity URNs) for what the ledger knows, with documented
 * fallbacks when no GS1 key is configured:
 *
 * - unit: `urn:epc:id:sgtin:<company prefix>.<indicator + item reference>.<serial>` when the
 *   material has a GTIN (and company prefix length) in ledger.materials; otherwise
 *   `urn:idocgate:serial:<material>:<serial>` (a private URN: unique per material + serial,
 *   never mistaken for a GS1 key).
 * - location: `urn:epc:id:sgln:<company prefix>.<location reference>.<extension>` when the site
 *   has a GLN in ledger.sites; otherwise `urn:idocgate:site:<site code>`.
 * - handling unit: `urn:epc:id:sscc:<company prefix>.<extension digit + serial reference>` when
 *   the HU id is an 18-digit SSCC (EXIDV may carry it with two leading zeros) and
 *   ledger.epcis.ssccCompanyPrefixLength is set; otherwise `urn:idocgate:hu:<id>`.
 * - business transaction (delivery): `urn:idocgate:delivery:<number>`.
 */
import type { LedgerConfig } from '../../../config/ledger.js';

/** Percent-encodes characters that may not appear literally in an EPC URI component (TDS table A). */
export function epcComponent(value: string): string {
  return [...value]
    .map((ch) =>
      /^[A-Za-z0-9\-._!'()*+,:;=]$/.test(ch)
        ? ch
        : encodeURIComponent(ch).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('');
}

/** GS1 mod-10 check digit of the digits before it. */
export function gs1CheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[digits.length - 1 - i]);
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return (10 - (sum % 10)) % 10;
}

export function sgtin(gtin: string, companyPrefixLength: number, serial: string): string | undefined {
  const g = gtin.padStart(14, '0');
  if (!/^\d{14}$/.test(g) || gs1CheckDigit(g.slice(0, 13)) !== Number(g[13])) return undefined;
  const prefix = g.slice(1, 1 + companyPrefixLength);
  const itemRef = g[0] + g.slice(1 + companyPrefixLength, 13);
  return `urn:epc:id:sgtin:${prefix}.${itemRef}.${epcComponent(serial)}`;
}

export function sgln(gln: string, companyPrefixLength: number, extension: string): string | undefined {
  if (!/^\d{13}$/.test(gln) || gs1CheckDigit(gln.slice(0, 12)) !== Number(gln[12])) return undefined;
  return `urn:epc:id:sgln:${gln.slice(0, companyPrefixLength)}.${gln.slice(companyPrefixLength, 12)}.${epcComponent(extension)}`;
}

export function sscc(id: string, companyPrefixLength: number): string | undefined {
  const s = /^00\d{18}$/.test(id) ? id.slice(2) : id;
  if (!/^\d{18}$/.test(s) || gs1CheckDigit(s.slice(0, 17)) !== Number(s[17])) return undefined;
  return `urn:epc:id:sscc:${s.slice(1, 1 + companyPrefixLength)}.${s[0]}${s.slice(1 + companyPrefixLength, 17)}`;
}

export interface EpcNaming {
  unit(material: string, serial: string): string;
  location(site: string): string;
  handlingUnit(id: string): string;
  delivery(number: string): string;
}

export function epcNaming(config: Pick<LedgerConfig, 'sites' | 'materials' | 'epcis'>): EpcNaming {
  return {
    unit(material, serial) {
      const m = config.materials[material];
      return (
        (m && sgtin(m.gtin, m.companyPrefixLength, serial)) ??
        `urn:idocgate:serial:${epcComponent(material)}:${epcComponent(serial)}`
      );
    },
    location(site) {
      const g = config.sites[site]?.gln;
      return (
        (g && sgln(g.gln, g.companyPrefixLength, g.extension)) ?? `urn:idocgate:site:${epcComponent(site)}`
      );
    },
    handlingUnit(id) {
      const l = config.epcis.ssccCompanyPrefixLength;
      return (l !== undefined ? sscc(id, l) : undefined) ?? `urn:idocgate:hu:${epcComponent(id)}`;
    },
    delivery: (n) => `urn:idocgate:delivery:${epcComponent(n)}`,
  };
}
