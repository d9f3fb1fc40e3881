/**
 * The live feed: the export's rows published to NATS JetStream, one message per row on
 * `<prefix>.<dataset>`, JSON body (the columns of docs/export.md), message id
 * `<dataset>:<row key>` (header Nats-Msg-Id). The ledger tables are the outbox: rows are
 * committed there first, the feed's cursor (export_cursors, consumer `nats:<stream>`) moves only
 * after JetStream acknowledged every message of the batch. A crash in between re-publishes the
 * batch; JetStream drops the repeats within the stream's duplicate window (10 minutes on streams
 * this creates), consumers can de-duplicate on the message id beyond it.
 *
 * Kafka would sit behind the same ExportSink interface (an idempotent producer, key = message
 * id); there is no Kafka sink here and nothing about Kafka is tested.
 */
import { connect, nanos, StorageType, type JetStreamClient, type NatsConnection } from 'nats';
import type { ExportSink } from './run.js';

export interface JetStreamSinkOptions {
  readonly servers: string;
  readonly stream: string;
  readonly subjectPrefix?: string;
  /** Messages in flight at once (default 512). */
  readonly window?: number;
  readonly connectTimeoutMs?: number;
}

export interface JetStreamSink extends ExportSink {
  readonly connection: NatsConnection;
  /** Messages JetStream reported as duplicates (already stored). */
  readonly duplicates: () => number;
  close(): Promise<void>;
}

export async function openJetStreamSink(options: JetStreamSinkOptions): Promise<JetStreamSink> {
  const prefix = options.subjectPrefix ?? 'idocgate';
  const nc = await connect({ servers: options.servers, timeout: options.connectTimeoutMs ?? 3000 });
  const jsm = await nc.jetstreamManager();
  try {
    await jsm.streams.info(options.stream);
  } catch {
    await jsm.streams.add({
      name: options.stream,
      subjects: [`${prefix}.>`],
      storage: StorageType.File,
      duplicate_window: nanos(10 * 60_000),
    });
  }
  const js: JetStreamClient = nc.jetstream();
  const utf8 = new TextEncoder();
  const window = options.window ?? 512;
  let duplicates = 0;
  return {
    consumer: `nats:${options.stream}`,
    connection: nc,
    duplicates: () => duplicates,
    recover: () => Promise.resolve([]),
    async write(dataset, _batch, rows) {
      const subject = `${prefix}.${dataset.name}`;
      for (let i = 0; i < rows.length; i += window) {
        const acks = await Promise.all(
          rows
            .slice(i, i + window)
            .map((r) => js.publish(subject, utf8.encode(r.json), { msgID: `${dataset.name}:${r.key}` })),
        );
        for (const a of acks) if (a.duplicate) duplicates++;
      }
      return [];
    },
    async close() {
      await nc.drain();
    },
  };
}
