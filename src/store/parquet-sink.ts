/**
 * The Parquet sink of the export: DuckDB (in memory) stages a batch through its appender and
 * writes one file per date partition with COPY ... TO (FORMAT parquet):
 *
 *   <dir>/<dataset>/dt=YYYY-MM-DD/part-<batch, 8 digits>.parquet
 *
 * Each file is written under a dot-name (`.part-….parquet.tmp`, which Hive-style readers skip),
 * fsynced, then renamed. recover() deletes temp files and the files of batches after the
 * committed one (a crash between the rename and the cursor commit).
 */
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { partitionDay, type Column, type ExportValue } from '../export/datasets.js';
import type { ExportSink, WrittenFile } from '../export/run.js';

const PART = /^part-(\d{8})\.parquet$/;
const TEMP = /^\.part-\d{8}\.parquet\.tmp$/;

/** Stage column type: text for timestamps, dates and JSON (cast in the COPY, exact to the µs). */
function stageType(c: Column): string {
  switch (c.type) {
    case 'bigint':
      return 'BIGINT';
    case 'integer':
      return 'INTEGER';
    case 'double':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
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
    case 'json':
      return `CAST(${id} AS JSON) AS ${id}`;
    default:
      return id;
  }
}

function append(a: DuckDBAppender, c: Column, v: ExportValue): void {
  if (v === null) {
    a.appendNull();
    return;
  }
  switch (c.type) {
    case 'bigint':
      a.appendBigInt(BigInt(typeof v === 'number' || typeof v === 'string' ? v : String(v)));
      return;
    case 'integer':
      a.appendInteger(Number(v));
      return;
    case 'double':
      a.appendDouble(Number(v));
      return;
    case 'boolean':
      a.appendBoolean(v === true || v === 'true');
      return;
    default:
      a.appendVarchar(v instanceof Date ? v.toISOString() : String(v));
  }
}

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

export interface ParquetSink extends ExportSink {
  close(): void;
}

export async function openParquetSink(directory: string): Promise<ParquetSink> {
  const dir = resolve(directory);
  await mkdir(dir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn: DuckDBConnection = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  return {
    consumer: `parquet:${dir}`,
    async recover(dataset, committedBatch) {
      const removed: string[] = [];
      const base = join(dir, dataset.name);
      let parts: string[];
      try {
        parts = (await readdir(base)).filter((d) => d.startsWith('dt='));
      } catch {
        return removed;
      }
      for (const p of parts) {
        for (const f of await readdir(join(base, p))) {
          const m = PART.exec(f);
          if (TEMP.test(f) || (m !== null && Number(m[1]) > committedBatch)) {
            await rm(join(base, p, f), { force: true });
            removed.push(`${dataset.name}/${p}/${f}`);
          }
        }
      }
      return removed;
    },
    async write(dataset, batch, rows) {
      const stage = `stage_${dataset.name}`;
      const cols = dataset.columns;
      await conn.run(
        `CREATE OR REPLACE TEMP TABLE ${stage} (${cols.map((c) => `"${c.name}" ${stageType(c)}`).join(', ')}, __dt VARCHAR)`,
      );
      const a = await conn.createAppender(stage);
      const days = new Map<string, number>();
      try {
        for (const r of rows) {
          for (const c of cols) append(a, c, r[c.name] ?? null);
          const dt = partitionDay(r[dataset.partitionBy] ?? null);
          a.appendVarchar(dt);
          a.endRow();
          days.set(dt, (days.get(dt) ?? 0) + 1);
        }
        a.flushSync();
      } finally {
        a.closeSync();
      }
      const written: WrittenFile[] = [];
      const name = `part-${String(batch).padStart(8, '0')}.parquet`;
      for (const [dt, n] of [...days].sort(([x], [y]) => x.localeCompare(y))) {
        const rel = `${dataset.name}/dt=${dt}/${name}`;
        const partDir = join(dir, dataset.name, `dt=${dt}`);
        await mkdir(partDir, { recursive: true });
        const tmp = join(partDir, `.${name}.tmp`);
        await conn.run(
          `COPY (SELECT ${cols.map(outExpr).join(', ')} FROM ${stage} WHERE __dt = ${sqlString(dt)})
             TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
        );
        const fh = await open(tmp, 'r');
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(tmp, join(dir, rel));
        const dh = await open(partDir, 'r');
        try {
          await dh.sync();
        } finally {
          await dh.close();
        }
        written.push({ path: rel, dt, rows: n });
      }
      await conn.run(`DROP TABLE ${stage}`);
      return written;
    },
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
