/**
 * The simulator's events as the messages the gateway receives: DELVRY07 WHSORD from SAP (IDoc-XML
 * over the SAP edge), the DC warehouse's WMS confirmations (`wms-confirmation` JSON over the
 * partner edge: packed, shipped) and the store handheld's goods receipts (`handheld-goods-movement`
 * JSON over the partner edge). SAP dates are written in UTC: run the gateway with `timeZone: UTC`.
 */
import type { Idoc, Segment } from '../../idoc/model.js';
import type { SimScan } from './integrity.js';
import type { SimEvent, SimItem, SimNetwork } from './simulate.js';

export type GatewayMessage =
  | {
      readonly edge: 'sap';
      readonly at: Date;
      readonly key: string;
      readonly messageType: 'WHSORD';
      readonly idoc: Idoc;
    }
  | {
      readonly edge: 'partner';
      readonly at: Date;
      readonly key: string;
      readonly partner: 'wms' | 'handheld';
      readonly contract: 'wms-confirmation' | 'handheld-goods-movement';
      readonly messageType: 'WHSCON' | 'MBGMCR';
      readonly json: Record<string, unknown>;
    };

/** Partner number of the simulated WMS that receives the deliveries (WE20). */
export const SIM_WMS_PARTNER = 'WMSEAST';
/** The stock transport order every simulated delivery item refers to (E1EDL24-VGBEL). */
export const SIM_STO = '4500000001';

const seg = (type: string, fields: Record<string, string>, children: Segment[] = []): Segment => ({
  type,
  fields,
  children,
});
const pad = (n: number | string, w: number): string => String(n).padStart(w, '0');
const qty = (n: number): string => `${n}.000`;
function sapDateTime(d: Date): [string, string] {
  const iso = d.toISOString();
  return [iso.slice(0, 10).replaceAll('-', ''), iso.slice(11, 19).replaceAll(':', '')];
}

function docnumOf(delivery: string): string {
  return pad(`9${delivery}`, 16);
}

export function toGatewayMessage(e: SimEvent): GatewayMessage {
  switch (e.kind) {
    case 'announce': {
      const [credat, cretim] = sapDateTime(e.at);
      const [ntanf, ntanz] = sapDateTime(e.plannedGoodsIssueAt);
      const packed = new Set(e.handlingUnits.flatMap((h) => h.contents.flatMap((c) => c.serials)));
      const idoc: Idoc = {
        control: {
          TABNAM: 'EDI_DC40',
          MANDT: '100',
          DOCNUM: docnumOf(e.delivery),
          DIRECT: '1',
          IDOCTYP: 'DELVRY07',
          MESTYP: 'WHSORD',
          SNDPOR: 'SAPPRD',
          SNDPRT: 'LS',
          SNDPRN: 'PRDCLNT100',
          RCVPOR: 'IDOCGATE',
          RCVPRT: 'LS',
          RCVPRN: SIM_WMS_PARTNER,
          CREDAT: credat,
          CRETIM: cretim,
        },
        segments: [
          seg('E1EDL20', { VBELN: pad(e.delivery, 10), VSTEL: e.from.plant }, [
            seg('E1EDL18', { QUALF: 'ORI' }),
            seg('E1ADRM1', { PARTNER_Q: 'WE', PARTNER_ID: e.to.customer }),
            // the forwarding agent, SAP's partner function SP (docs/sweeper.md "Where things are in the IDocs")
            seg('E1ADRM1', { PARTNER_Q: 'SP', PARTNER_ID: e.carrier }),
            seg('E1EDT13', { QUALF: '006', NTANF: ntanf, NTANZ: ntanz, ISDD: '00000000' }),
            ...e.items.map((it) =>
              seg(
                'E1EDL24',
                {
                  POSNR: it.position,
                  MATNR: pad(it.material, 18),
                  WERKS: e.from.plant,
                  LGORT: '0001',
                  LFIMG: qty(it.quantity ?? it.serials.length),
                  VRKME: 'PCE',
                  VGBEL: SIM_STO,
                  VGPOS: it.position,
                },
                // serials packed in a handling unit are listed under it (E1EDL46), the rest here
                it.serials.filter((s) => !packed.has(s)).map((s) => seg('E1EDL11', { SERNR: s })),
              ),
            ),
            ...e.handlingUnits.map((h) =>
              seg(
                'E1EDL37',
                { EXIDV: pad(h.id, 20), VHILM: pad('9001', 18), VHART: '0001' },
                h.contents.map((c) =>
                  seg(
                    'E1EDL44',
                    {
                      VELIN: '1',
                      VBELN: pad(e.delivery, 10),
                      POSNR: c.position,
                      EXIDV: pad(h.id, 20),
                      VEMNG: qty(c.serials.length),
                      VEMEH: 'PCE',
                      MATNR: pad(e.items.find((i) => i.position === c.position)?.material ?? '', 18),
                    },
                    c.serials.map((s) => seg('E1EDL46', { SERNR: s })),
                  ),
                ),
              ),
            ),
          ]),
        ],
      };
      return { edge: 'sap', at: e.at, key: `sim-whsord-${e.delivery}`, messageType: 'WHSORD', idoc };
    }
    case 'packed':
    case 'shipped':
      return {
        edge: 'partner',
        at: e.at,
        key: `sim-${e.kind}-${e.delivery}`,
        partner: 'wms',
        contract: 'wms-confirmation',
        messageType: 'WHSCON',
        json: {
          messageType: 'WHSCON',
          delivery: e.delivery,
          event: e.kind,
          confirmedAt: e.at.toISOString(),
          items: e.items.map((it) => ({
            position: String(Number(it.position)),
            article: it.material,
            site: e.from.site,
            quantity: it.quantity ?? it.serials.length,
            unit: 'PCE',
            ...(e.withSerials && it.serials.length > 0 ? { serialNumbers: [...it.serials] } : {}),
          })),
          ...(e.handlingUnits.length > 0
            ? {
                handlingUnits: e.handlingUnits.map((h) => ({
                  id: h.id,
                  packagingMaterial: '9001',
                  contents: h.contents
                    .filter((c) => c.serials.length > 0)
                    .map((c) => ({
                      position: String(Number(c.position)),
                      quantity: c.serials.length,
                      unit: 'PCE',
                      ...(e.withSerials ? { serialNumbers: [...c.serials] } : {}),
                    })),
                })),
              }
            : {}),
        },
      };
    case 'receipt':
      return handheldMessage(
        e.at,
        e.scanId,
        e.to.site,
        { kind: 'receipt-delivery', delivery: e.delivery },
        e.items,
        true,
      );
    case 'scan':
      return scanMessage(e);
  }
}

/** A store's handheld scan other than a delivery receipt (transfers, repairs, returns, initial stock). */
function scanMessage(e: SimScan): GatewayMessage {
  const movement =
    e.move.kind === 'transfer-site'
      ? { kind: e.move.kind, toSite: e.move.toSite }
      : e.move.kind === 'vendor-repair-out' || e.move.kind === 'vendor-repair-return'
        ? { kind: e.move.kind, vendor: e.move.vendor }
        : { kind: e.move.kind };
  return handheldMessage(e.at, e.scanId, e.site.site, movement, e.items, false);
}

/** A `handheld-goods-movement` scan (items with their delivery item only for a delivery receipt). */
function handheldMessage(
  at: Date,
  scanId: string,
  site: string,
  movement: Record<string, string>,
  items: readonly SimItem[],
  deliveryItems: boolean,
): GatewayMessage {
  return {
    edge: 'partner',
    at,
    key: scanId,
    partner: 'handheld',
    contract: 'handheld-goods-movement',
    messageType: 'MBGMCR',
    json: {
      scanId,
      site,
      movement,
      items: items.map((it) => ({
        article: it.material,
        quantity: it.serials.length,
        unit: 'PCE',
        ...(deliveryItems ? { deliveryItem: String(Number(it.position)) } : {}),
        serialNumbers: [...it.serials],
      })),
      device: 'TC52-SIM',
      user: 'sim',
      scannedAt: at.toISOString(),
    },
  };
}

/** The sites table (mappings/tables/sites.yaml columns) for a simulated network. */
export function sitesTableRows(network: SimNetwork): string[][] {
  return [...network.dcs, ...network.stores].map((s) => [s.site, s.plant, '0001', '', s.site]);
}

/** `sweeper.shipTo` and `ledger.sites` for a simulated network. */
export function networkConfig(network: SimNetwork): {
  shipTo: Record<string, string>;
  ledgerSites: Record<string, { plants: string[]; customers: string[] }>;
} {
  const all = [...network.dcs, ...network.stores];
  return {
    shipTo: Object.fromEntries(all.map((s) => [s.customer.replace(/^0+/, ''), s.site])),
    ledgerSites: Object.fromEntries(all.map((s) => [s.site, { plants: [s.plant], customers: [s.customer] }])),
  };
}
