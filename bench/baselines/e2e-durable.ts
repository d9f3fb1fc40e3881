/**
 * The durable hand-written baseline of bench/e2e.bench.ts ("baseline B"): what a competent team
 * writes by hand when a message must not be lost. Fastify takes the raw body, INSERTs it into
 * PostgreSQL (committed before the answer), adds a BullMQ job carrying only the row id and answers
 * 202; a worker SELECTs the row, POSTs the body to the target with Node's fetch (undici) and
 * UPDATEs the row to delivered (committed). No parsing, no mapping, no search keys, no history.
 */
import { Queue, Worker } from 'bullmq';
import Fastify, { type FastifyInstance } from 'fastify';
import type { RedisOptions } from 'ioredis';
import pg from 'pg';

export interface DurablePipeline {
  readonly url: string;
  close(): Promise<void>;
}

export interface DurableOptions {
  readonly connection: RedisOptions;
  readonly prefix: string;
  readonly databaseUrl: string;
  /** Schema of its own (created, and dropped by close()). */
  readonly schema: string;
  /** Route name -> receiver URL. */
  readonly targets: Readonly<Record<string, string>>;
  readonly concurrency: number;
  readonly poolSize: number;
}

interface DurableJob {
  readonly id: string;
}

export async function startDurablePipeline(options: DurableOptions): Promise<DurablePipeline> {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolSize,
    options: `-c search_path=${options.schema}`,
  });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
  await pool.query(`CREATE TABLE IF NOT EXISTS ${options.schema}.messages (
    id bigserial PRIMARY KEY,
    target text NOT NULL,
    content_type text NOT NULL,
    body text NOT NULL,
    status text NOT NULL DEFAULT 'queued',
    received_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz
  )`);
  const queue = new Queue<DurableJob>('durable', { connection: options.connection, prefix: options.prefix });
  const app: FastifyInstance = Fastify({ bodyLimit: 10 * 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post<{ Params: { route: string } }>('/durable/:route', async (request, reply) => {
    const target = options.targets[request.params.route];
    if (target === undefined) return reply.code(404).send();
    const { rows } = await pool.query<{ id: string }>({
      name: 'durable_insert',
      text: 'INSERT INTO messages (target, content_type, body) VALUES ($1, $2, $3) RETURNING id',
      values: [target, request.headers['content-type'] ?? 'application/octet-stream', String(request.body)],
    });
    const id = rows[0]!.id;
    await queue.add(
      'post',
      { id },
      { jobId: `m${id}`, removeOnComplete: true, removeOnFail: true, attempts: 3 },
    );
    return reply.code(202).send({ id });
  });
  const worker = new Worker<DurableJob>(
    'durable',
    async (job) => {
      const { rows } = await pool.query<{
        target: string;
        content_type: string;
        body: string;
        status: string;
      }>({
        name: 'durable_select',
        text: 'SELECT target, content_type, body, status FROM messages WHERE id = $1',
        values: [job.data.id],
      });
      const row = rows[0];
      if (row === undefined || row.status === 'delivered') return;
      const res = await fetch(row.target, {
        method: 'POST',
        headers: { 'content-type': row.content_type },
        body: row.body,
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      await pool.query({
        name: 'durable_update',
        text: "UPDATE messages SET status = 'delivered', delivered_at = now() WHERE id = $1",
        values: [job.data.id],
      });
    },
    { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency },
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    async close() {
      await app.close();
      await worker.close();
      await queue.close();
      await pool.query(`DROP SCHEMA IF EXISTS ${options.schema} CASCADE`).catch(() => undefined);
      await pool.end();
    },
  };
}
