/** Hand-written equivalent of mappings/handheld-to-mbgmcr03.yaml (benchmark baseline). */
import {
  handheldGoodsMovement,
  type HandheldGoodsMovement,
} from '../../src/contracts/handheld-goods-movement.js';
import type { Idoc, Segment } from '../../src/idoc/model.js';
import { formatSapNumber } from '../../src/mapping/conversions.js';
import { isoToSapDate, isoToSapTime } from '../../src/mapping/time.js';
import type { LookupTable } from '../../src/mapping/types.js';
import { alphaIn, indexBy } from './tables.js';

export function handheldToMbgmcr03(tables: ReadonlyMap<string, LookupTable>, timeZone: string) {
  const kinds = tables.get('movement-kinds')!;
  const gm = indexBy(kinds, 'kind', 'gmCode');
  const mvt = indexBy(kinds, 'kind', 'moveType');
  const ind = indexBy(kinds, 'kind', 'mvtInd');
  const spec = indexBy(kinds, 'kind', 'specStock');
  const plantOf = indexBy(tables.get('sites'), 'site', 'plant');
  const slocOf = indexBy(tables.get('sites'), 'site', 'storageLocation');
  const sapUnit = indexBy(tables.get('units'), 'iso', 'sap');
  const reasonRequired = indexBy(kinds, 'kind', 'reasonRequired');
  const serialFormats = tables.get('serial-number-formats');
  const formatByMaterial = indexBy(serialFormats, 'material', 'format');
  const formatBySite = indexBy(serialFormats, 'site', 'format');
  const serialNo = (sn: string, material: string, site: string): string => {
    const format = formatByMaterial.get(material) || formatBySite.get(site) || 'gernr';
    return format === 'gernr' && /^\d+$/.test(sn) ? sn.padStart(18, '0') : sn;
  };
  const put = (o: Record<string, string>, k: string, v: string | undefined): void => {
    if (v !== undefined && v !== '') o[k] = v;
  };
  return (input: unknown, now: Date): Idoc => {
    const scan: HandheldGoodsMovement = handheldGoodsMovement.parse(input);
    const m = scan.movement;
    const nowIso = now.toISOString();
    const head: Record<string, string> = {};
    put(head, 'PSTNG_DATE', isoToSapDate(scan.scannedAt, timeZone));
    put(head, 'DOC_DATE', isoToSapDate(scan.scannedAt, timeZone));
    const user = scan.user.toUpperCase();
    put(head, 'PR_UNAME', user.slice(0, 12));
    put(head, 'HEADER_TXT', scan.device.slice(0, 25));
    put(head, 'REF_DOC_NO_LONG', scan.scanId);
    const children: Segment[] = [
      { type: 'E1BP2017_GM_HEAD_01', fields: head, children: [] },
      { type: 'E1BP2017_GM_CODE', fields: { GM_CODE: gm.get(m.kind)! }, children: [] },
    ];
    const plant = plantOf.get(scan.site);
    if (!plant) throw new Error('unknown site');
    const sloc = scan.storageLocation ?? slocOf.get(scan.site);
    const serials: Segment[] = [];
    scan.items.forEach((item, i) => {
      const f: Record<string, string> = {};
      put(f, 'MATERIAL', alphaIn(item.article, 18));
      put(f, 'PLANT', plant);
      put(f, 'STGE_LOC', sloc);
      put(f, 'BATCH', item.batch);
      put(f, 'MOVE_TYPE', mvt.get(m.kind));
      put(f, 'SPEC_STOCK', spec.get(m.kind));
      if (m.kind === 'vendor-repair-out' || m.kind === 'vendor-repair-return')
        put(f, 'VENDOR', alphaIn(m.vendor, 10));
      if ('customer' in m && m.customer) put(f, 'CUSTOMER', alphaIn(m.customer, 10));
      put(f, 'ENTRY_QNT', formatSapNumber(item.quantity, 3));
      put(f, 'ENTRY_UOM', sapUnit.get(item.unit));
      put(f, 'ENTRY_UOM_ISO', item.unit);
      if ('purchaseOrder' in m && m.purchaseOrder) put(f, 'PO_NUMBER', alphaIn(m.purchaseOrder, 10));
      if (item.poItem) put(f, 'PO_ITEM', alphaIn(item.poItem, 5));
      if (item.deliveryCompleted === true) put(f, 'NO_MORE_GR', 'X');
      if (m.kind === 'scrap' && m.costCenter) put(f, 'COSTCENTER', alphaIn(m.costCenter, 10));
      put(f, 'MVT_IND', ind.get(m.kind));
      if (m.kind === 'transfer-site') {
        put(f, 'MOVE_PLANT', plantOf.get(m.toSite));
        put(f, 'MOVE_STLOC', m.toStorageLocation ?? slocOf.get(m.toSite));
      } else if (m.kind === 'transfer-location') put(f, 'MOVE_STLOC', m.toStorageLocation);
      if ('reason' in m && m.reason) put(f, 'MOVE_REAS', m.reason.padStart(4, '0'));
      else if (reasonRequired.get(m.kind) === 'X') throw new Error('reason for movement required');
      if (m.kind === 'receipt-delivery') {
        put(f, 'DELIV_NUMB_TO_SEARCH', alphaIn(m.delivery, 10));
        if (item.deliveryItem) put(f, 'DELIV_ITEM_TO_SEARCH', alphaIn(item.deliveryItem, 6));
      }
      const kids: Segment[] = [];
      if (m.kind === 'receipt-sto')
        kids.push({
          type: 'E1BP2017_GM_ITEM_CREATE1',
          fields: { DELIV_NUMB: alphaIn(m.delivery, 10), DELIV_ITEM: alphaIn(item.deliveryItem ?? '', 6) },
          children: [],
        });
      children.push({ type: 'E1BP2017_GM_ITEM_CREATE', fields: f, children: kids });
      const pos = String(i + 1).padStart(4, '0');
      for (const sn of item.serialNumbers ?? [])
        serials.push({
          type: 'E1BP2017_GM_SERIALNUMBER',
          fields: { MATDOC_ITM: pos, SERIALNO: serialNo(sn, item.article, scan.site) },
          children: [],
        });
    });
    for (const s of serials) children.push(s);
    return {
      control: {
        TABNAM: 'EDI_DC40',
        DIRECT: '2',
        IDOCTYP: 'MBGMCR03',
        MESTYP: 'MBGMCR',
        CREDAT: isoToSapDate(nowIso, timeZone)!,
        CRETIM: isoToSapTime(nowIso, timeZone)!,
      },
      segments: [{ type: 'E1MBGMCR', fields: {}, children }],
    };
  };
}
