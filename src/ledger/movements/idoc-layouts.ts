/**
 * The IDoc layouts both ledgers read (deliveries for the pushback sweeper, serials for chain of
 * custody), as data: ./layouts/delvry.yaml (DELVRY0x deliveries) and ./layouts/mbgmcr.yaml
 * (MBGMCR0x goods movements) say which segments and fields hold deliveries, items, serials,
 * partners and dates, and what each ledger makes of a message type. This module reads them once,
 * checks them against the schemas below (an unknown key, a missing field or a wrong role is a
 * DEFINITION_INVALID naming the file and the path) and hands them out typed. A new IDoc type or
 * an extension is one more entry in a file's `idocTypes`, or a copy of a file with other names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { IdocgateError } from '../../errors.js';
import { PROJECT_ROOT } from '../../paths.js';

/** Read from the source tree (also after a build: dist/ does not copy data files). */
export const LAYOUTS_DIR = join(PROJECT_ROOT, 'src', 'ledger', 'movements', 'layouts');

const name = z.string().min(1);
const names = z.array(name);

/** A serial number field under a segment, reached through child segment types. */
const serialPath = z.strictObject({ path: names.min(1), field: name });
export type SerialPath = z.infer<typeof serialPath>;

/** A date/time pair in a qualified segment (e.g. E1EDT13 QUALF 006). */
const qualifiedDate = z.strictObject({
  segment: name,
  qualifierField: name,
  qualifier: name,
  date: name,
  time: name,
});
export type QualifiedDate = z.infer<typeof qualifiedDate>;

/** A child segment of the delivery header whose field holds one of the values (E1EDL18 QUALF PGI). */
const headerCondition = z.strictObject({ segment: name, field: name, values: names.min(1) });
export type HeaderCondition = z.infer<typeof headerCondition>;

const delvryLayout = z.strictObject({
  kind: z.literal('delivery'),
  idocTypes: names.min(1),
  header: z.strictObject({ segment: name, delivery: name, shippingPoint: name }),
  item: z.strictObject({
    segment: name,
    position: name,
    material: name,
    quantity: name,
    unit: name,
    plant: name,
    storageLocation: name,
    batch: name,
    referenceDocument: name,
    referenceItem: name,
    serials: z.array(serialPath),
  }),
  handlingUnit: z.strictObject({
    segment: name,
    id: name,
    content: name,
    contentPosition: name,
    contentMaterial: name,
    serials: z.array(serialPath),
  }),
  partner: z.strictObject({
    segment: name,
    qualifierField: name,
    id: name,
    shipTo: name,
    /** Partner functions naming the carrier (forwarding agent), first found wins. */
    carrier: names.min(1),
  }),
  goodsIssueActual: qualifiedDate,
  goodsIssuePlanned: qualifiedDate,
  deliveryType: z.strictObject({ segment: name, field: name }),
  returnsDeliveryTypes: names,
  inboundDeliveryTypes: names,
  deliveryLedger: z.strictObject({
    roles: z.array(
      z.strictObject({
        messageTypes: names.min(1),
        role: z.enum(['expect', 'milestone']),
        milestone: z.enum(['picked', 'goods-issued']).optional(),
        when: z.array(headerCondition).optional(),
        unless: z.array(headerCondition).optional(),
      }),
    ),
  }),
  serialLedger: z.strictObject({
    roles: z.array(
      z.strictObject({
        messageTypes: names.min(1),
        role: z.enum(['shipped', 'packed', 'announce', 'received']),
        when: headerCondition.optional(),
        intoPlant: z.literal(true).optional(),
      }),
    ),
  }),
});
export type DelvryLayout = z.infer<typeof delvryLayout>;

const mbgmcrLayout = z.strictObject({
  kind: z.literal('goods-movement'),
  idocTypes: names.min(1),
  /** Segment that holds head, items and serials (they are its children). */
  root: name,
  head: z.strictObject({ segment: name, postingDate: name, references: names }),
  item: z.strictObject({
    segment: name,
    material: name,
    plant: name,
    sloc: name,
    moveType: name,
    movePlant: name,
    moveSloc: name,
    vendor: name,
    customer: name,
    quantity: name,
    unit: name,
    unitIso: name,
    delivery: names,
    deliveryItem: names,
    overflow: z.strictObject({ segment: name, delivery: name, deliveryItem: name }),
  }),
  serial: z.strictObject({ segment: name, field: name, itemLink: name }),
  deliveryLedger: z.strictObject({ receiptMoveTypes: names }),
});
export type MbgmcrLayout = z.infer<typeof mbgmcrLayout>;

/** Reads and checks one layout file; throws DEFINITION_INVALID naming the file and what is wrong. */
export function loadLayout<T>(file: string, schema: z.ZodType<T>): T {
  let text: string;
  let value: unknown;
  try {
    text = readFileSync(file, 'utf8');
    value = parseYaml(text);
  } catch (e) {
    throw new IdocgateError('DEFINITION_INVALID', `${file}: ${(e as Error).message}`);
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({
      code: 'LAYOUT_INVALID',
      severity: 'error' as const,
      path: `/${i.path.map(String).join('/')}`,
      message: i.message,
    }));
    throw new IdocgateError(
      'DEFINITION_INVALID',
      `${file}: invalid IDoc layout\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
      { issues },
    );
  }
  return r.data;
}

export const DELVRY_LAYOUT_SCHEMA = delvryLayout;
export const MBGMCR_LAYOUT_SCHEMA = mbgmcrLayout;
export const DELVRY_LAYOUT: DelvryLayout = loadLayout(join(LAYOUTS_DIR, 'delvry.yaml'), delvryLayout);
export const MBGMCR_LAYOUT: MbgmcrLayout = loadLayout(join(LAYOUTS_DIR, 'mbgmcr.yaml'), mbgmcrLayout);

/** A delivery bringing goods INTO the plant of its items: a returns or an inbound delivery type. */
export function isDeliveryIntoPlant(layout: DelvryLayout, deliveryType: string | null | undefined): boolean {
  const t = (deliveryType ?? '').trim().toUpperCase();
  return isReturnsDeliveryType(layout, t) || (t !== '' && layout.inboundDeliveryTypes.includes(t));
}

/** A returns delivery type (DelvryLayout.returnsDeliveryTypes), given the header's LFART. */
export function isReturnsDeliveryType(
  layout: DelvryLayout,
  deliveryType: string | null | undefined,
): boolean {
  const t = (deliveryType ?? '').trim().toUpperCase();
  return t !== '' && layout.returnsDeliveryTypes.includes(t);
}
