/** Hand-written equivalent of mappings/mbgmcr03-to-peoplesoft.yaml (benchmark baseline). */
import type { Idoc, Segment } from '../../src/idoc/model.js';
import { parseSapNumber } from '../../src/mapping/conversions.js';
import { sapDateToIso } from '../../src/mapping/time.js';
import type { LookupTable } from '../../src/mapping/types.js';
import { alphaOut, indexBy } from './tables.js';

export function mbgmcr03ToPeoplesoft(tables: ReadonlyMap<string, LookupTable>) {
  const buByPlant = indexBy(tables.get('sites'), 'plant', 'businessUnit');
  const isoBySap = indexBy(tables.get('units'), 'sap', 'iso');
  const txByMoveType = indexBy(tables.get('peoplesoft-transaction-types'), 'moveType', 'transactionType');
  const signByMoveType = indexBy(tables.get('peoplesoft-transaction-types'), 'moveType', 'sign');
  const toSignByMoveType = indexBy(tables.get('peoplesoft-transaction-types'), 'moveType', 'toSign');
  const signed = (sign: string | undefined, q: number): number | undefined =>
    sign === '-' ? (q === 0 ? 0 : -q) : sign === '+' ? q : undefined;
  const set = (o: Record<string, unknown>, k: string, v: unknown): void => {
    if (v !== undefined && v !== '') o[k] = v;
  };
  return (idoc: Idoc): Record<string, unknown> => {
    if (idoc.control.IDOCTYP !== 'MBGMCR03' || idoc.control.MESTYP !== 'MBGMCR')
      throw new Error('wrong type');
    const root = idoc.segments.find((s) => s.type === 'E1MBGMCR');
    const head = root?.children.find((s) => s.type === 'E1BP2017_GM_HEAD_01')?.fields ?? {};
    const code = root?.children.find((s) => s.type === 'E1BP2017_GM_CODE')?.fields;
    const docnum = alphaOut(idoc.control.DOCNUM ?? '');
    const out: Record<string, unknown> = {};
    set(out, 'transactionId', head['REF_DOC_NO_LONG'] || head['REF_DOC_NO'] || docnum);
    set(out, 'idocNumber', docnum);
    const posting = sapDateToIso(head['PSTNG_DATE'] ?? '');
    if (!posting) throw new Error('posting date');
    set(out, 'postingDate', posting);
    set(out, 'documentDate', head['DOC_DATE'] && sapDateToIso(head['DOC_DATE']));
    set(out, 'goodsMovementCode', code?.['GM_CODE']);
    set(out, 'headerText', head['HEADER_TXT']);
    // Serials grouped by item position in one pass.
    const serials = new Map<number, string[]>();
    const items: Segment[] = [];
    for (const s of root?.children ?? []) {
      if (s.type === 'E1BP2017_GM_ITEM_CREATE') items.push(s);
      else if (s.type === 'E1BP2017_GM_SERIALNUMBER' && s.fields['SERIALNO']) {
        const pos = Number(s.fields['MATDOC_ITM']);
        let list = serials.get(pos);
        if (!list) serials.set(pos, (list = []));
        list.push(s.fields['SERIALNO']);
      }
    }
    out['lines'] = items.map((s, i) => {
      const f = s.fields;
      const bu = buByPlant.get(f['PLANT'] ?? '');
      const unsigned = parseSapNumber(f['ENTRY_QNT'] ?? '');
      if (unsigned !== undefined && (unsigned < 0 || (f['ENTRY_QNT'] ?? '').includes('-')))
        throw new Error('signed quantity');
      const quantity =
        unsigned === undefined ? undefined : signed(signByMoveType.get(f['MOVE_TYPE'] ?? ''), unsigned);
      const unit = f['ENTRY_UOM_ISO'] || isoBySap.get(f['ENTRY_UOM'] ?? '');
      const tx = txByMoveType.get(f['MOVE_TYPE'] ?? '');
      if (!bu || quantity === undefined || !unit || !tx || !f['MATERIAL']) throw new Error('line incomplete');
      const line: Record<string, unknown> = {};
      set(line, 'lineNumber', i + 1);
      set(line, 'businessUnit', bu);
      set(line, 'storageArea', f['STGE_LOC']);
      set(line, 'item', alphaOut(f['MATERIAL']));
      set(line, 'quantity', quantity);
      set(line, 'unitOfMeasure', unit);
      set(line, 'movementType', f['MOVE_TYPE']);
      set(line, 'transactionType', tx);
      if (f['MOVE_PLANT']) set(line, 'toBusinessUnit', buByPlant.get(f['MOVE_PLANT']));
      set(line, 'toStorageArea', f['MOVE_STLOC']);
      if (unsigned !== undefined)
        set(line, 'toQuantity', signed(toSignByMoveType.get(f['MOVE_TYPE'] ?? ''), unsigned));
      set(line, 'vendor', f['VENDOR'] && alphaOut(f['VENDOR']));
      set(line, 'purchaseOrder', f['PO_NUMBER'] && alphaOut(f['PO_NUMBER']));
      set(line, 'purchaseOrderLine', f['PO_ITEM'] && alphaOut(f['PO_ITEM']));
      const item1 = s.children.find((c) => c.type === 'E1BP2017_GM_ITEM_CREATE1')?.fields ?? {};
      const deliv = item1['DELIV_NUMB'] || f['DELIV_NUMB_TO_SEARCH'];
      const delivItem = item1['DELIV_ITEM'] || f['DELIV_ITEM_TO_SEARCH'];
      set(line, 'delivery', deliv && alphaOut(deliv));
      set(line, 'deliveryItem', delivItem && alphaOut(delivItem));
      set(line, 'serialNumbers', serials.get(i + 1));
      return line;
    });
    return out;
  };
}
