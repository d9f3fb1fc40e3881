/**
 * The Parquet sink of the export: per date partition, the batch's rows (JSON text from the
 * database) go to a temporary NDJSON file that DuckDB (in memory) reads with the dataset's column
 * types and writes as Parquet with COPY ... TO (FORMAT parquet, zstd):
 *
 *   <dir>/<dataset>/dt=YYYY-MM-DD/part-<batch, 8 digits>.parquet
 *
 * DuckDB writes all partitions of a batch in one COPY (PARTITION_BY) into a staging directory
 * under a dot-name (`<dataset>/.part-….tmp/`, which Hive-style readers skip); each file is
 * fsynced and renamed into its `dt=` directory. recover() deletes staging directories and the
 * files of batches after the committed one (a crash between the renames and the cursor commit).
 *
 * openS3ParquetSink writes the same files to an S3-compatible bucket (src/export/s3.ts).
 */
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Column, Dataset, ExportRow } from '../../export/datasets.js';
import type { S3Client } from '../../export/s3.js';
import type { ExportSink, WrittenFile } from '../../export/run.js';

const PART = /^part-(\d{8})\.parquet$/;

/** The column read from the NDJSON batch file (timestamps and dates as text, cast on the way out). */
function readType(c: Column): string {
  switch (c.type) {
    case 'bigint':
      return 'BIGINT';
    case 'integer':
      return 'INTEGER';
    case 'double':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'json':
      return 'JSON';
    default:
      return 'VARCHAR';
  }
}

function outExpr(c: Column): string {
  const id = `"${c.name}"`;
  switch (c.type) {
    case 'timestamptz':
      return `CAST(${id} AS TIMESTAMPTZ) AS ${id}`;
    case 'date':
      return `CAST(${id} AS DATE) AS ${id}`;
    default:
      return id;
  }
}

async function fsync(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

export interface ParquetSink extends ExportSink {
  close(): void;
}

interface StagedPart {
  readonly dt: string;
  readonly n: number;
  /** The Parquet file in the staging directory. */
  readonly src: string;
}

async function openDuck(): Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn: DuckDBConnection = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  return { instance, conn };
}

export const partName = (batch: number): string => `part-${String(batch).padStart(8, '0')}`;

/**
 * Writes one batch as Parquet into `stage` (created empty): all partitions in one COPY, one file
 * per partition day, each fsynced. The caller moves them to where they belong and removes `stage`.
 */
async function stageBatch(
  conn: DuckDBConnection,
  stage: string,
  dataset: Dataset,
  batch: number,
  rows: readonly ExportRow[],
): Promise<StagedPart[]> {
  const counts = new Map<string, number>();
  const lines: string[] = [];
  for (const r of rows) {
    counts.set(r.day, (counts.get(r.day) ?? 0) + 1);
    // the partition value rides along as one more field (not written into the files)
    lines.push(`{"__dt":"${r.day}",${r.json.slice(1)}`);
  }
  const cols = dataset.columns;
  const columns = `{'__dt': 'VARCHAR', ${cols.map((c) => `${sqlString(c.name)}: ${sqlString(readType(c))}`).join(', ')}}`;
  const name = partName(batch);
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  const ndjson = join(stage, 'rows.ndjson');
  await writeFile(ndjson, lines.join('\n') + '\n');
  await conn.run(
    `COPY (SELECT ${cols.map(outExpr).join(', ')}, __dt
             FROM read_json(${sqlString(ndjson)}, format = 'newline_delimited', columns = ${columns}))
       TO ${sqlString(join(stage, 'out'))}
       (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (__dt), FILENAME_PATTERN ${sqlString(name)})`,
  );
  return Promise.all(
    [...counts]
      .sort(([x], [y]) => x.localeCompare(y))
      .map(async ([dt, n]) => {
        const from = join(stage, 'out', `__dt=${dt}`);
        const files = (await readdir(from)).filter((f) => f.endsWith('.parquet'));
        if (files.length !== 1)
          throw new Error(`expected one Parquet file in ${from}, found ${files.length}`);
        const src = join(from, files[0] ?? '');
        await fsync(src);
        return { dt, n, src };
      }),
  );
}

export async function openParquetSink(directory: string): Promise<ParquetSink> {
  const dir = resolve(directory);
  await mkdir(dir, { recursive: true });
  const { instance, conn } = await openDuck();
  return {
    consumer: `parquet:${dir}`,
    async recover(dataset, committedBatch) {
      const removed: string[] = [];
      const base = join(dir, dataset.name);
      let entries: string[];
      try {
        entries = await readdir(base);
      } catch {
        return removed;
      }
      for (const e of entries.filter((d) => d.startsWith('.part-'))) {
        await rm(join(base, e), { recursive: true, force: true });
        removed.push(`${dataset.name}/${e}`);
      }
      const parts = entries.filter((d) => d.startsWith('dt='));
      for (const p of parts) {
        for (const f of await readdir(join(base, p))) {
          const m = PART.exec(f);
          if (m !== null && Number(m[1]) > committedBatch) {
            await rm(join(base, p, f), { force: true });
            removed.push(`${dataset.name}/${p}/${f}`);
          }
        }
      }
      return removed;
    },
    async write(dataset, batch, rows) {
      if (rows.length === 0) return [];
      const name = partName(batch);
      const base = join(dir, dataset.name);
      const stage = join(base, `.${name}.tmp`);
      const written: WrittenFile[] = [];
      try {
        const staged = await stageBatch(conn, stage, dataset, batch, rows);
        const parts = await Promise.all(
          staged.map(async (p) => {
            const partDir = join(base, `dt=${p.dt}`);
            await mkdir(partDir, { recursive: true });
            return { ...p, partDir, rel: `${dataset.name}/dt=${p.dt}/${name}.parquet` };
          }),
        );
        // every file is durable before the first one becomes visible under its final name
        for (const p of parts) await rename(p.src, join(dir, p.rel));
        await Promise.all(parts.map((p) => fsync(p.partDir)));
        for (const p of parts) written.push({ path: p.rel, dt: p.dt, rows: p.n });
      } finally {
        await rm(stage, { recursive: true, force: true });
      }
      return written;
    },
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

export interface S3SinkOptions {
  /** Key prefix in the bucket (e.g. `lake/`; default none). */
  readonly prefix?: string;
  /** Where batches are staged before the upload (default the OS temp directory). */
  readonly stagingDir?: string;
}

/**
 * The same Parquet files in an S3-compatible bucket, under `<prefix><dataset>/dt=…/part-N.parquet`.
 * Each file is written locally, then PUT under its final key; write() resolves when every PUT of
 * the batch succeeded, and only then does the export commit the cursor. A PUT is atomic per
 * object (a reader sees the whole object or none), so there are no staging keys. A crash between
 * the uploads and the commit leaves objects of the uncommitted batch: the rerun PUTs the same
 * keys again (overwrite), and recover() first deletes every part of a batch after the committed
 * one, so a rerun whose batch covers other days leaves no orphan.
 */
export async function openS3ParquetSink(s3: S3Client, options: S3SinkOptions = {}): Promise<ParquetSink> {
  const prefix = options.prefix ?? '';
  const staging = await mkdtemp(join(options.stagingDir ?? tmpdir(), 'idocgate-s3-stage-'));
  const { instance, conn } = await openDuck();
  return {
    consumer: `s3:${s3.uri(prefix)}`,
    async recover(dataset, committedBatch) {
      const removed: string[] = [];
      for (const key of await s3.list(`${prefix}${dataset.name}/`)) {
        const m = PART.exec(key.slice(key.lastIndexOf('/') + 1));
        if (m !== null && Number(m[1]) > committedBatch) {
          await s3.delete(key);
          removed.push(key);
        }
      }
      return removed;
    },
    async write(dataset, batch, rows) {
      if (rows.length === 0) return [];
      const name = partName(batch);
      const stage = join(staging, `${dataset.name}-${name}`);
      try {
        const staged = await stageBatch(conn, stage, dataset, batch, rows);
        const written: WrittenFile[] = [];
        for (const p of staged) {
          const key = `${prefix}${dataset.name}/dt=${p.dt}/${name}.parquet`;
          await s3.put(key, await readFile(p.src), 'application/vnd.apache.parquet');
          written.push({ path: s3.uri(key), dt: p.dt, rows: p.n });
        }
        return written;
      } finally {
        await rm(stage, { recursive: true, force: true });
      }
    },
    close() {
      conn.closeSync();
      instance.closeSync();
      void rm(staging, { recursive: true, force: true });
    },
  };
}
