/**
 * The plain baseline of bench/e2e.bench.ts: Fastify -> BullMQ -> HTTP POST, with no parsing, no
 * mapping and no store. The route takes the raw body, adds a BullMQ job carrying it (the job
 * holds the document, which the gateway never does), answers 202, and a worker POSTs the body to
 * the target named by the route. Same receivers, same worker concurrency as the gateway run.
 */
import { Queue, Worker } from 'bullmq';
import Fastify, { type FastifyInstance } from 'fastify';
import type { RedisOptions } from 'ioredis';

export interface PlainPipeline {
  readonly url: string;
  close(): Promise<void>;
}

export interface PlainOptions {
  readonly connection: RedisOptions;
  readonly prefix: string;
  /** Route name -> receiver URL. */
  readonly targets: Readonly<Record<string, string>>;
  readonly concurrency: number;
  /** Start no worker (to measure Redis bytes per queued job). */
  readonly noWorker?: boolean;
}

interface PlainJob {
  readonly target: string;
  readonly body: string;
  readonly contentType: string;
}

export async function startPlainPipeline(options: PlainOptions): Promise<PlainPipeline> {
  const queue = new Queue<PlainJob>('plain', { connection: options.connection, prefix: options.prefix });
  const app: FastifyInstance = Fastify({ bodyLimit: 10 * 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post<{ Params: { route: string } }>('/plain/:route', async (request, reply) => {
    const target = options.targets[request.params.route];
    if (target === undefined) return reply.code(404).send();
    await queue.add(
      'post',
      {
        target,
        body: String(request.body),
        contentType: request.headers['content-type'] ?? 'application/octet-stream',
      },
      { removeOnComplete: true, removeOnFail: true, attempts: 3 },
    );
    return reply.code(202).send({ queued: true });
  });
  const worker = options.noWorker
    ? undefined
    : new Worker<PlainJob>(
        'plain',
        async (job) => {
          const res = await fetch(job.data.target, {
            method: 'POST',
            headers: { 'content-type': job.data.contentType },
            body: job.data.body,
          });
          await res.arrayBuffer();
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
        },
        { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency },
      );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    async close() {
      await app.close();
      await worker?.close();
      await queue.close();
    },
  };
}
