/** Hand-written equivalent of mappings/wms-confirmation-to-delvry07.yaml (benchmark baseline). */
import { wmsConfirmation, type WmsConfirmation } from '../../src/contracts/wms-confirmation.js';
import type { Idoc, Segment } from '../../src/idoc/model.js';
import { formatSapNumber } from '../../src/mapping/conversions.js';
import { isoToSapDate, isoToSapTime } from '../../src/mapping/time.js';
import type { LookupTable } from '../../src/mapping/types.js';
import { alphaIn, indexBy } from './tables.js';

export function wmsConfirmationToDelvry07(tables: ReadonlyMap<string, LookupTable>, timeZone: string) {
  const plantOf = indexBy(tables.get('sites'), 'site', 'plant');
  const put = (o: Record<string, string>, k: string, v: string | undefined): void => {
    if (v !== undefined && v !== '') o[k] = v;
  };
  const qty = (n: number): string => {
    const s = formatSapNumber(n, 3);
    if (s.length > 15) throw new Error('too long');
    return s;
  };
  return (input: unknown, now: Date): Idoc => {
    const c: WmsConfirmation = wmsConfirmation.parse(input);
    const nowIso = now.toISOString();
    const vbeln = alphaIn(c.delivery, 10);
    const kids: Segment[] = [];
    if (c.event === 'received') throw new Error('received has no WHSCON');
    if (c.event === 'picked' || (c.event === 'shipped' && c.withPickingConfirmation === true))
      kids.push({ type: 'E1EDL18', fields: { QUALF: 'PIC' }, children: [] });
    if (c.event === 'shipped') {
      kids.push({ type: 'E1EDL18', fields: { QUALF: 'PGI' }, children: [] });
      kids.push({
        type: 'E1EDT13',
        fields: {
          QUALF: '006',
          ISDD: isoToSapDate(c.confirmedAt, timeZone)!,
          ISDZ: isoToSapTime(c.confirmedAt, timeZone)!,
        },
        children: [],
      });
    }
    for (const item of c.items) {
      const f: Record<string, string> = {};
      put(f, 'POSNR', alphaIn(item.position, 6));
      if (!item.article) throw new Error('MATNR required');
      put(f, 'MATNR', alphaIn(item.article, 18));
      if (item.site) {
        const p = plantOf.get(item.site);
        if (!p) throw new Error('unknown site');
        put(f, 'WERKS', p);
      }
      put(f, 'LGORT', item.storageLocation);
      put(f, 'CHARG', item.batch);
      put(f, 'LFIMG', qty(item.quantity));
      put(f, 'VRKME', item.unit);
      kids.push({
        type: 'E1EDL24',
        fields: f,
        children: [
          ...(item.notRelevantForPicking === true
            ? [{ type: 'E1EDL19', fields: { QUALF: 'QUA' }, children: [] }]
            : []),
          ...(item.serialNumbers ?? []).map((sn) => ({
            type: 'E1EDL11',
            fields: { SERNR: sn },
            children: [],
          })),
        ],
      });
    }
    for (const hu of c.handlingUnits ?? []) {
      const f: Record<string, string> = { EXIDV: alphaIn(hu.id, 20) };
      if (hu.packagingMaterial) f['VHILM'] = alphaIn(hu.packagingMaterial, 18);
      kids.push({
        type: 'E1EDL37',
        fields: f,
        children: hu.contents.map((e) => ({
          type: 'E1EDL44',
          fields: {
            VELIN: '1',
            VBELN: vbeln,
            POSNR: alphaIn(e.position, 6),
            VEMNG: qty(e.quantity),
            VEMEH: e.unit,
          },
          children: (e.serialNumbers ?? []).map((sn) => ({
            type: 'E1EDL46',
            fields: { SERNR: sn },
            children: [],
          })),
        })),
      });
    }
    return {
      control: {
        TABNAM: 'EDI_DC40',
        DIRECT: '2',
        IDOCTYP: 'DELVRY07',
        MESTYP: c.messageType,
        CREDAT: isoToSapDate(nowIso, timeZone)!,
        CRETIM: isoToSapTime(nowIso, timeZone)!,
      },
      segments: [{ type: 'E1EDL20', fields: { VBELN: vbeln }, children: kids }],
    };
  };
}
