/**
 * Mapping benchmark (`npm run bench:mapping [count]`): for each built-in mapping, messages/s of
 * the compiled mapping and, in the same run and on the same inputs, of a hand-written TypeScript
 * function doing the same mapping (bench/baselines/). Inputs: `count` (default 1000) messages per
 * mapping, each with 20 items x 5 serial numbers (DELVRY07 also 4 handling units). Outputs of
 * both are checked to be equal first. Each figure is the best of several rounds; target:
 * compiled >= 0.5x hand-written.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Idoc, Segment } from '../src/idoc/model.js';
import { loadMappings } from '../src/mapping/load.js';
import type { MappingContext } from '../src/mapping/types.js';
import { delvry07ToWmsDeliveryOrder } from './baselines/delvry07-to-wms-delivery-order.js';
import { handheldToMbgmcr03 } from './baselines/handheld-to-mbgmcr03.js';
import { mbgmcr03ToPeoplesoft } from './baselines/mbgmcr03-to-peoplesoft.js';
import { wmsConfirmationToDelvry07 } from './baselines/wms-confirmation-to-delvry07.js';

const COUNT = Number(process.argv[2] ?? 1000);
const ROUNDS = 15;
const ITEMS = 20;
const SERIALS = 5;
const ctx: MappingContext = { now: new Date('2024-03-02T15:00:00Z'), timeZone: 'America/New_York' };
const registry = loadMappings();
const tables = registry.tables;

const seg = (type: string, fields: Record<string, string>, children: Segment[] = []): Segment => ({
  type,
  fields,
  children,
});
const serials = (n: number, i: number): string[] =>
  Array.from({ length: SERIALS }, (_, s) => `SN${n}-${i}-${s}`);

function delvry07(n: number): Idoc {
  const items: Segment[] = [];
  for (let i = 1; i <= ITEMS; i++)
    items.push(
      seg(
        'E1EDL24',
        {
          POSNR: String(i * 10).padStart(6, '0'),
          MATNR: String(4700 + i).padStart(18, '0'),
          ARKTX: `Scanner part ${i}`,
          WERKS: '1000',
          LGORT: '0001',
          LFIMG: `${SERIALS}.000`,
          VRKME: 'PCE',
        },
        serials(n, i).map((s) => seg('E1EDL11', { SERNR: s })),
      ),
    );
  const hus: Segment[] = [];
  for (let h = 0; h < 4; h++) {
    const contents: Segment[] = [];
    for (let i = h * 5 + 1; i <= h * 5 + 5; i++)
      contents.push(
        seg(
          'E1EDL44',
          { VELIN: '1', POSNR: String(i * 10).padStart(6, '0'), VEMNG: `${SERIALS}.000`, VEMEH: 'PCE' },
          serials(n, i).map((s) => seg('E1EDL46', { SERNR: s })),
        ),
      );
    hus.push(seg('E1EDL37', { EXIDV: String(100000 + n * 10 + h).padStart(20, '0') }, contents));
  }
  return {
    control: {
      TABNAM: 'EDI_DC40',
      DOCNUM: String(n).padStart(16, '0'),
      IDOCTYP: 'DELVRY07',
      MESTYP: 'WHSORD',
    },
    segments: [
      seg('E1EDL20', { VBELN: String(80_000_000 + n).padStart(10, '0'), VSTEL: '1000' }, [
        seg('E1ADRM1', {
          PARTNER_Q: 'WE',
          PARTNER_ID: '0000100201',
          NAME1: 'Store 0124',
          CITY1: 'Cambridge',
        }),
        seg('E1EDT13', { QUALF: '006', NTANF: '20240304', NTANZ: '140000' }),
        ...items,
        ...hus,
      ]),
    ],
  };
}

function mbgmcr03(n: number): Idoc {
  const items: Segment[] = [];
  const sns: Segment[] = [];
  for (let i = 1; i <= ITEMS; i++) {
    items.push(
      seg('E1BP2017_GM_ITEM_CREATE', {
        MATERIAL: String(4700 + i).padStart(18, '0'),
        PLANT: '0123',
        STGE_LOC: '0001',
        MOVE_TYPE: '101',
        ENTRY_QNT: `${SERIALS}.000`,
        ENTRY_UOM: 'ST',
        PO_NUMBER: '4500001234',
        PO_ITEM: String(i * 10).padStart(5, '0'),
        MVT_IND: 'B',
      }),
    );
    for (const s of serials(n, i))
      sns.push(seg('E1BP2017_GM_SERIALNUMBER', { MATDOC_ITM: String(i).padStart(4, '0'), SERIALNO: s }));
  }
  return {
    control: {
      TABNAM: 'EDI_DC40',
      DOCNUM: String(n).padStart(16, '0'),
      IDOCTYP: 'MBGMCR03',
      MESTYP: 'MBGMCR',
    },
    segments: [
      seg('E1MBGMCR', {}, [
        seg('E1BP2017_GM_HEAD_01', { PSTNG_DATE: '20240301', DOC_DATE: '20240301', REF_DOC_NO: `GR${n}` }),
        seg('E1BP2017_GM_CODE', { GM_CODE: '01' }),
        ...items,
        ...sns,
      ]),
    ],
  };
}

const handheld = (n: number) => ({
  scanId: `HH-${n}`,
  site: 'S0123',
  movement: { kind: 'receipt-delivery', delivery: String(180_000_000 + n) },
  items: Array.from({ length: ITEMS }, (_, i) => ({
    article: String(4700 + i),
    quantity: SERIALS,
    unit: 'PCE',
    deliveryItem: String((i + 1) * 10),
    serialNumbers: serials(n, i),
  })),
  device: 'TC52-0042',
  user: 'jdoe',
  scannedAt: '2024-03-01T23:30:00-05:00',
});

const confirmation = (n: number) => ({
  delivery: String(80_000_000 + n),
  event: 'shipped',
  confirmedAt: '2024-03-04T14:12:45-05:00',
  items: Array.from({ length: ITEMS }, (_, i) => ({
    position: String((i + 1) * 10),
    article: String(4700 + i),
    site: 'DC01',
    quantity: SERIALS,
    unit: 'PCE',
    serialNumbers: serials(n, i),
  })),
  handlingUnits: Array.from({ length: 4 }, (_, h) => ({
    id: String(100000 + n * 10 + h),
    contents: Array.from({ length: 5 }, (_, k) => ({
      position: String((h * 5 + k + 1) * 10),
      quantity: SERIALS,
      unit: 'PCE',
      serialNumbers: serials(n, h * 5 + k),
    })),
  })),
});

interface Case {
  name: string;
  inputs: unknown[];
  baseline: (input: unknown) => unknown;
}

const cases: Case[] = [
  {
    name: 'delvry07-to-wms-delivery-order',
    inputs: Array.from({ length: COUNT }, (_, n) => delvry07(n)),
    baseline: (
      (f) => (i: unknown) =>
        f(i as Idoc)
    )(delvry07ToWmsDeliveryOrder(tables, ctx.timeZone)),
  },
  {
    name: 'mbgmcr03-to-peoplesoft',
    inputs: Array.from({ length: COUNT }, (_, n) => mbgmcr03(n)),
    baseline: (
      (f) => (i: unknown) =>
        f(i as Idoc)
    )(mbgmcr03ToPeoplesoft(tables)),
  },
  {
    name: 'handheld-to-mbgmcr03',
    inputs: Array.from({ length: COUNT }, (_, n) => handheld(n)),
    baseline: (
      (f) => (i: unknown) =>
        f(i, ctx.now)
    )(handheldToMbgmcr03(tables, ctx.timeZone)),
  },
  {
    name: 'wms-confirmation-to-delvry07',
    inputs: Array.from({ length: COUNT }, (_, n) => confirmation(n)),
    baseline: (
      (f) => (i: unknown) =>
        f(i, ctx.now)
    )(wmsConfirmationToDelvry07(tables, ctx.timeZone)),
  },
];

/** Messages/s of one pass over the inputs. */
function pass(inputs: readonly unknown[], fn: (i: unknown) => unknown): number {
  (globalThis as { gc?: () => void }).gc?.();
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (const i of inputs) if (fn(i) !== undefined) sink++;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink !== inputs.length) throw new Error('nothing mapped');
  return inputs.length / s;
}

/**
 * Best rate of each function over ROUNDS rounds, the two alternating within every round, so a
 * busy machine slows both alike (the best round is the one least disturbed).
 */
function rates(
  inputs: readonly unknown[],
  a: (i: unknown) => unknown,
  b: (i: unknown) => unknown,
): [number, number] {
  let bestA = 0;
  let bestB = 0;
  for (let r = 0; r < ROUNDS; r++) {
    bestA = Math.max(bestA, pass(inputs, a));
    bestB = Math.max(bestB, pass(inputs, b));
  }
  return [bestA, bestB];
}

console.log(
  `mapping benchmark: ${COUNT} messages per mapping, ${ITEMS} items x ${SERIALS} serials, best of ${ROUNDS}`,
);
console.log(`node ${process.version}`);
console.log('mapping                          compiled msg/s   hand-written msg/s   ratio');
let allOk = true;
for (const c of cases) {
  const mapping = registry.get(c.name);
  if (!mapping) throw new Error(`no mapping ${c.name}`);
  const compiled = (i: unknown): unknown => {
    const r = mapping.run(i, ctx);
    if (r.issues.length > 0) throw new Error(`${c.name}: ${r.issues[0]?.message ?? ''}`);
    return r.output;
  };
  for (const i of c.inputs.slice(0, 50)) {
    if (
      !isDeepStrictEqual(JSON.parse(JSON.stringify(compiled(i))), JSON.parse(JSON.stringify(c.baseline(i))))
    )
      throw new Error(`${c.name}: compiled and hand-written outputs differ`);
  }
  rates(c.inputs.slice(0, 200), compiled, c.baseline); // warm-up
  const [a, b] = rates(c.inputs, compiled, c.baseline);
  const ratio = a / b;
  if (ratio < 0.5) allOk = false;
  console.log(
    `${c.name.padEnd(32)} ${a.toFixed(0).padStart(14)} ${b.toFixed(0).padStart(20)} ${ratio.toFixed(2).padStart(7)}x`,
  );
}
console.log(
  allOk
    ? 'target met: compiled >= 0.5x hand-written for every mapping'
    : 'TARGET MISSED for at least one mapping',
);
