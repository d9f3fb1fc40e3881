/**
 * Writes each partner its data-product CSV (`<dir>/<partner>/<partner>-<stamp>.csv`, written to
 * `.tmp` then renamed) from the serial ledger's cells of its own articles. Used by
 * `idocgate export partner` and the scheduled partner job.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PartnerProductEntry } from '../config/analytics.js';
import { normalizeKey } from '../ledger/serials/types.js';
import type { Queryable } from '../store/db/db.js';
import { partnerCells } from '../store/analytics/partner-repo.js';
import { partnerCsv, partnerProduct } from './partner.js';

export interface PartnerFile {
  readonly partner: string;
  readonly file: string;
  readonly k: number;
  readonly cells: number;
  readonly suppressed: number;
}

export async function writePartnerFiles(
  q: Queryable,
  products: readonly PartnerProductEntry[],
  dir: string,
  window: { readonly from?: Date; readonly to?: Date },
  stamp: string,
): Promise<PartnerFile[]> {
  const out: PartnerFile[] = [];
  for (const p of products) {
    const materials = p.materials.map((m) => normalizeKey(m));
    const product = partnerProduct(
      { partner: p.partner, materials, ...(p.k !== undefined ? { k: p.k } : {}) },
      await partnerCells(q, materials, window),
    );
    const sub = join(dir, p.partner);
    await mkdir(sub, { recursive: true });
    const file = join(sub, `${p.partner}-${stamp}.csv`);
    await writeFile(`${file}.tmp`, partnerCsv(product));
    await rename(`${file}.tmp`, file);
    out.push({
      partner: p.partner,
      file,
      k: product.k,
      cells: product.cells.length,
      suppressed: product.suppressed,
    });
  }
  return out;
}
