/**
 * The export use case: for each dataset, take the next batch of rows after the consumer's
 * cursor, hand it to the sink (Parquet files, or a JetStream publisher), and move the cursor in
 * the same database transaction that held the cursor row locked. Exactly once per row:
 * - a re-run starts after the committed cursor, so it writes nothing that is already written;
 * - the sink writes to temporary names and renames when a file is complete; files of a batch
 *   after the committed one (a crash between the rename and the commit) are removed by the
 *   sink's recover() before the batch is written again.
 * No SQL, no files: both are behind the ports.
 */
import { DATASET_NAMES, DATASETS, type Dataset, type DatasetName, type ExportRow } from './datasets.js';

export interface Cursor {
  readonly lastKey: string | null;
  readonly batch: number;
  readonly rows: number;
}

export interface Batch {
  readonly rows: readonly ExportRow[];
  /** Key of the last row (the next cursor). */
  readonly lastKey: string | null;
}

export interface WrittenFile {
  readonly path: string;
  readonly dt: string;
  readonly rows: number;
}

export interface CursorCommit {
  readonly lastKey: string | null;
  readonly batch: number;
  readonly rows: number;
  readonly files: readonly WrittenFile[];
}

export interface ExportSource {
  /**
   * Runs `fn` with the dataset's cursor of `consumer` locked (one exporter at a time) and commits
   * the cursor move `fn` returns (none: nothing changes) in the same transaction.
   */
  withCursor<T>(
    consumer: string,
    dataset: DatasetName,
    fn: (
      cursor: Cursor,
      read: (limit: number) => Promise<Batch>,
    ) => Promise<{ readonly commit: CursorCommit | null; readonly result: T }>,
  ): Promise<T>;
}

export interface ExportSink {
  /** The consumer name the cursors are kept under (e.g. `parquet:/data/lake`). */
  readonly consumer: string;
  /** Removes what a crashed run left for batches after `committedBatch`. */
  recover(dataset: Dataset, committedBatch: number): Promise<readonly string[]>;
  /** Writes / publishes one batch; resolves when it is durable. */
  write(dataset: Dataset, batch: number, rows: readonly ExportRow[]): Promise<readonly WrittenFile[]>;
}

export interface ExportOptions {
  readonly datasets?: readonly DatasetName[];
  /** Rows per batch (default 50 000). */
  readonly batchSize?: number;
  /** Stop after this many batches per dataset (default: until caught up). */
  readonly maxBatches?: number;
}

export interface DatasetResult {
  readonly dataset: DatasetName;
  readonly rows: number;
  readonly batches: number;
  readonly files: number;
  readonly removed: readonly string[];
}

export async function runExport(
  source: ExportSource,
  sink: ExportSink,
  options: ExportOptions = {},
): Promise<DatasetResult[]> {
  const batchSize = options.batchSize ?? 50_000;
  const out: DatasetResult[] = [];
  for (const name of options.datasets ?? DATASET_NAMES) {
    const dataset = DATASETS[name];
    let rows = 0;
    let batches = 0;
    let files = 0;
    let removed: readonly string[] = [];
    for (;;) {
      if (options.maxBatches !== undefined && batches >= options.maxBatches) break;
      const first = batches === 0;
      const r = await source.withCursor(sink.consumer, name, async (cursor, read) => {
        if (first) removed = await sink.recover(dataset, cursor.batch);
        const b = await read(batchSize);
        if (b.rows.length === 0) return { commit: null, result: null };
        const written = await sink.write(dataset, cursor.batch + 1, b.rows);
        return {
          commit: { lastKey: b.lastKey, batch: cursor.batch + 1, rows: b.rows.length, files: written },
          result: { rows: b.rows.length, files: written.length },
        };
      });
      if (r === null) break;
      rows += r.rows;
      files += r.files;
      batches++;
    }
    out.push({ dataset: name, rows, batches, files, removed });
  }
  return out;
}
