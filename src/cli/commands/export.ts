/**
 * `idocgate export parquet --dir <directory> [--dataset name ...] [--batch-size n] [--settle-seconds s]
 * [--config file] [--json]`: writes the ledgers' new events (serial events, delivery receipts and
 * milestones, alerts, discrepancies, daily and weekly forecasts, messages, risk models and
 * recorded risk scores) as Hive-partitioned Parquet (docs/export.md).
 * Incremental and resumable: each run starts after the committed cursor; run it from cron.
 *
 * `idocgate export s3 --endpoint <url> --bucket <name> [--region r] [--prefix p]`: the same files
 * as objects in an S3-compatible bucket (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
 *
 * `idocgate export nats --url nats://127.0.0.1:4222 --stream IDOCGATE`: the same rows to a
 * NATS JetStream stream (subjects idocgate.<dataset>), one message per row.
 *
 * `idocgate export partner --products partners.yaml --dir <directory> [--from day] [--to day]`:
 * one CSV per partner (OEM) with sell-through, returns and repairs of its own articles per site
 * and ISO week, cells of fewer than k units left out (docs/export.md "Partner data products").
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { partnerProductsSchema, s3TargetSchema } from '../../config/analytics.js';
import { parseConfigText } from '../../config/load.js';
import { writePartnerFiles } from '../../export/partner-files.js';
import { IdocgateError } from '../../errors.js';
import { DATASET_NAMES, type DatasetName } from '../../export/datasets.js';
import { runExport, type DatasetResult, type ExportSink } from '../../export/run.js';
import { exportSource } from '../../store/analytics/export-source.js';
import { openParquetSink } from '../../store/analytics/parquet-sink.js';
import { openJetStreamSink } from '../../export/jetstream.js';
import { openS3Target } from '../../export/s3-target.js';
import { openConfiguredStore } from './forecast.js';

interface Options {
  config?: string;
  dataset?: string[];
  batchSize: string;
  settleSeconds: string;
  json?: boolean;
}

function datasets(names: string[] | undefined): DatasetName[] | undefined {
  if (names === undefined) return undefined;
  for (const n of names)
    if (!(DATASET_NAMES as readonly string[]).includes(n))
      throw new IdocgateError('CONFIG_INVALID', `--dataset must be one of ${DATASET_NAMES.join(', ')}`);
  return names as DatasetName[];
}

async function run(opts: Options, openSink: () => Promise<ExportSink & { close(): void | Promise<void> }>) {
  const batchSize = Number(opts.batchSize);
  const settle = Number(opts.settleSeconds);
  if (!Number.isInteger(batchSize) || batchSize <= 0)
    throw new IdocgateError('CONFIG_INVALID', '--batch-size must be a positive integer');
  if (!Number.isFinite(settle) || settle < 0)
    throw new IdocgateError('CONFIG_INVALID', '--settle-seconds must be >= 0');
  const store = await openConfiguredStore(opts.config);
  try {
    const sink = await openSink();
    let r: DatasetResult[];
    try {
      const ds = datasets(opts.dataset);
      r = await runExport(exportSource(store.db, { settleMs: settle * 1000 }), sink, {
        batchSize,
        ...(ds !== undefined ? { datasets: ds } : {}),
      });
    } finally {
      await sink.close();
    }
    if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else
      for (const d of r)
        process.stdout.write(
          `${d.dataset}: ${d.rows} rows in ${d.batches} batches, ${d.files} files` +
            `${d.removed.length > 0 ? `, ${d.removed.length} left by an interrupted run removed` : ''}\n`,
        );
  } finally {
    await store.close();
  }
}

export function register(program: Command): void {
  const exp = program
    .command('export')
    .description('the ledgers as a data lake (Parquet) and a live feed (NATS)');
  const common = (c: Command): Command =>
    c
      .option('-c, --config <file>', 'config file (YAML or JSON); default $IDOCGATE_CONFIG')
      .option('--dataset <name...>', `datasets (default all: ${DATASET_NAMES.join(', ')})`)
      .option('--batch-size <rows>', 'rows per batch', '50000')
      .option('--settle-seconds <s>', 'leave rows younger than this for the next run', '60')
      .option('--json', 'print the result as JSON');
  common(
    exp
      .command('parquet')
      .description('write new ledger events as Hive-partitioned Parquet files')
      .requiredOption('--dir <directory>', 'the lake directory'),
  ).action((opts: Options & { dir: string }) => run(opts, () => openParquetSink(opts.dir)));
  common(
    exp
      .command('s3')
      .description('write new ledger events as Hive-partitioned Parquet objects to an S3-compatible bucket')
      .requiredOption('--endpoint <url>', 'http(s)://host[:port] of the S3 API (path-style URLs)')
      .requiredOption('--bucket <name>', 'the bucket')
      .option('--region <region>', 'the signing region', 'us-east-1')
      .option('--prefix <prefix>', 'key prefix, e.g. lake/', '')
      .option(
        '--access-key-id-env <name>',
        'environment variable with the access key id',
        'AWS_ACCESS_KEY_ID',
      )
      .option(
        '--secret-access-key-env <name>',
        'environment variable with the secret access key',
        'AWS_SECRET_ACCESS_KEY',
      )
      .option('--session-token-env <name>', 'environment variable with an STS session token'),
  ).action(
    (
      opts: Options & {
        endpoint: string;
        bucket: string;
        region: string;
        prefix: string;
        accessKeyIdEnv: string;
        secretAccessKeyEnv: string;
        sessionTokenEnv?: string;
      },
    ) => {
      const target = s3TargetSchema.safeParse({
        endpoint: opts.endpoint,
        bucket: opts.bucket,
        region: opts.region,
        prefix: opts.prefix,
        accessKeyIdEnv: opts.accessKeyIdEnv,
        secretAccessKeyEnv: opts.secretAccessKeyEnv,
        ...(opts.sessionTokenEnv !== undefined ? { sessionTokenEnv: opts.sessionTokenEnv } : {}),
      });
      if (!target.success)
        throw new IdocgateError(
          'CONFIG_INVALID',
          `invalid S3 target\n  ${target.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n  ')}`,
        );
      return run(opts, () => openS3Target(target.data, (name) => process.env[name]));
    },
  );
  common(
    exp
      .command('nats')
      .description('publish new ledger events to a NATS JetStream stream')
      .option('--url <url>', 'NATS server', 'nats://127.0.0.1:4222')
      .option('--stream <name>', 'JetStream stream (created when missing)', 'IDOCGATE')
      .option('--subject-prefix <prefix>', 'subject prefix', 'idocgate'),
  ).action((opts: Options & { url: string; stream: string; subjectPrefix: string }) =>
    run(opts, () =>
      openJetStreamSink({ servers: opts.url, stream: opts.stream, subjectPrefix: opts.subjectPrefix }),
    ),
  );
  exp
    .command('partner')
    .description('write each partner its data product (own articles only, cells of at least k units)')
    .option('-c, --config <file>', 'config file (YAML or JSON); default $IDOCGATE_CONFIG')
    .requiredOption('--products <file>', 'partners (YAML or JSON): [{ partner, materials: [...], k? }]')
    .requiredOption('--dir <directory>', 'output directory (one sub-directory per partner)')
    .option('--from <day>', 'first day (UTC, inclusive)')
    .option('--to <day>', 'last day (UTC, exclusive)')
    .action(async (opts: { config?: string; products: string; dir: string; from?: string; to?: string }) => {
      const parsed = PRODUCTS.safeParse(
        parseConfigText(await readFile(opts.products, 'utf8'), opts.products),
      );
      if (!parsed.success)
        throw new IdocgateError(
          'CONFIG_INVALID',
          `invalid partner products\n  ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`,
        );
      const window = {
        ...(opts.from !== undefined ? { from: new Date(`${opts.from}T00:00:00Z`) } : {}),
        ...(opts.to !== undefined ? { to: new Date(`${opts.to}T00:00:00Z`) } : {}),
      };
      const store = await openConfiguredStore(opts.config);
      try {
        const stamp = new Date().toISOString().slice(0, 10);
        for (const f of await writePartnerFiles(store.db, parsed.data, opts.dir, window, stamp))
          process.stdout.write(
            `${f.partner}: ${f.cells} cells (k = ${f.k}, ${f.suppressed} suppressed) -> ${f.file}\n`,
          );
      } finally {
        await store.close();
      }
    });
}

const PRODUCTS = partnerProductsSchema;
