/** Hand-written equivalent of mappings/delvry07-to-wms-delivery-order.yaml (benchmark baseline). */
import type { Idoc, Segment } from '../../src/idoc/model.js';
import { parseSapNumber } from '../../src/mapping/conversions.js';
import { sapDateTimeToIso } from '../../src/mapping/time.js';
import type { LookupTable } from '../../src/mapping/types.js';
import { alphaOut, indexBy } from './tables.js';

export function delvry07ToWmsDeliveryOrder(tables: ReadonlyMap<string, LookupTable>, timeZone: string) {
  const siteByPlant = indexBy(tables.get('sites'), 'plant', 'site');
  const set = (o: Record<string, unknown>, k: string, v: unknown): void => {
    if (v !== undefined && v !== '') o[k] = v;
  };
  const qty = (v: string | undefined): number => {
    const n = v === undefined ? undefined : parseSapNumber(v);
    if (n === undefined) throw new Error('bad quantity');
    return n;
  };
  return (idoc: Idoc): Record<string, unknown> => {
    const mestyp = idoc.control.MESTYP ?? '';
    if (idoc.control.IDOCTYP !== 'DELVRY07' || !['SHPORD', 'WHSORD', 'DESADV'].includes(mestyp))
      throw new Error('wrong type');
    const out: Record<string, unknown> = {};
    const l20 = idoc.segments.find((s) => s.type === 'E1EDL20');
    set(out, 'messageType', mestyp);
    set(out, 'idocNumber', alphaOut(idoc.control.DOCNUM ?? ''));
    set(out, 'delivery', l20?.fields['VBELN'] && alphaOut(l20.fields['VBELN']));
    set(out, 'shippingPoint', l20?.fields['VSTEL']);
    set(out, 'warehouseNumber', l20?.fields['LGNUM']);
    const t13 = l20?.children.find((s) => s.type === 'E1EDT13' && s.fields['QUALF'] === '006');
    if (t13?.fields['NTANF'])
      set(
        out,
        'plannedGoodsMovement',
        sapDateTimeToIso(t13.fields['NTANF'], t13.fields['NTANZ'] ?? '', timeZone),
      );
    const we = l20?.children.find((s) => s.type === 'E1ADRM1' && s.fields['PARTNER_Q'] === 'WE');
    if (we) {
      const shipTo: Record<string, unknown> = {};
      set(shipTo, 'partnerId', we.fields['PARTNER_ID'] && alphaOut(we.fields['PARTNER_ID']));
      set(shipTo, 'name', we.fields['NAME1']);
      set(shipTo, 'street', we.fields['STREET1']);
      set(shipTo, 'postalCode', we.fields['POSTL_COD1']);
      set(shipTo, 'city', we.fields['CITY1']);
      set(shipTo, 'country', we.fields['COUNTRY1']);
      if (Object.keys(shipTo).length > 0) out['shipTo'] = shipTo;
    }
    const serials = (s: Segment, type: string): string[] | undefined => {
      const list = s.children
        .filter((c) => c.type === type && c.fields['SERNR'])
        .map((c) => c.fields['SERNR']!);
      return list.length > 0 ? list : undefined;
    };
    const items: Record<string, unknown>[] = [];
    const hus: Record<string, unknown>[] = [];
    for (const s of l20?.children ?? []) {
      if (s.type === 'E1EDL24') {
        const f = s.fields;
        const site = siteByPlant.get(f['WERKS'] ?? '');
        const long = s.children.find((c) => c.type === 'E1EDL26')?.fields['MATNR_LONG'];
        const matnr = (long && alphaOut(long)) || (f['MATNR'] && alphaOut(f['MATNR']));
        if (!site || !matnr || !f['VRKME']) throw new Error('item incomplete');
        const item: Record<string, unknown> = {};
        set(item, 'position', f['POSNR']);
        set(item, 'article', matnr);
        set(item, 'description', f['ARKTX']);
        set(item, 'site', site);
        set(item, 'storageLocation', f['LGORT']);
        set(item, 'quantity', qty(f['LFIMG']));
        set(item, 'unit', f['VRKME']);
        set(item, 'batch', f['CHARG']);
        set(item, 'referenceDocument', f['VGBEL'] && alphaOut(f['VGBEL']));
        set(item, 'referenceItem', f['VGPOS'] && alphaOut(f['VGPOS']));
        set(item, 'serialNumbers', serials(s, 'E1EDL11'));
        items.push(item);
      } else if (s.type === 'E1EDL37') {
        const hu: Record<string, unknown> = {};
        set(hu, 'id', alphaOut(s.fields['EXIDV'] ?? ''));
        set(hu, 'packagingMaterial', s.fields['VHILM'] && alphaOut(s.fields['VHILM']));
        const contents: Record<string, unknown>[] = [];
        for (const c of s.children) {
          if (c.type !== 'E1EDL44') continue;
          const e: Record<string, unknown> = {};
          set(e, 'position', c.fields['POSNR']);
          const cLong = c.fields['MATNR_LONG'] && alphaOut(c.fields['MATNR_LONG']);
          set(e, 'article', cLong || (c.fields['MATNR'] && alphaOut(c.fields['MATNR'])));
          set(e, 'quantity', qty(c.fields['VEMNG']));
          set(e, 'unit', c.fields['VEMEH']);
          set(e, 'serialNumbers', serials(c, 'E1EDL46'));
          contents.push(e);
        }
        if (contents.length > 0) hu['contents'] = contents;
        hus.push(hu);
      }
    }
    out['items'] = items;
    if (hus.length > 0) out['handlingUnits'] = hus;
    return out;
  };
}
