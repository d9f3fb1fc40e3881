/**
 * `/healthz`: the process is up and serving (no dependencies checked; for liveness probes).
 * `/readyz`: Redis and the database answer (for readiness probes and load balancers); 503 with
 * the failing checks named otherwise. Neither needs credentials; neither reveals configuration.
 */
import type { FastifyInstance } from 'fastify';
import type { ReadinessCheck } from './deps.js';

const CHECK_TIMEOUT_MS = 2000;

async function run(check: ReadinessCheck): Promise<{ name: string; ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { name: check.name, ok: true };
  } catch (e) {
    return { name: check.name, ok: false, error: e instanceof Error ? e.message : String(e) };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

export async function healthRoutes(
  app: FastifyInstance,
  deps: { readonly readiness: readonly ReadinessCheck[]; readonly roles: readonly string[] },
): Promise<void> {
  app.get('/healthz', { schema: { tags: ['Health'], summary: 'Liveness' } }, async () => ({
    status: 'ok',
    roles: deps.roles,
  }));
  app.get(
    '/readyz',
    { schema: { tags: ['Health'], summary: 'Readiness: Redis and database reachable' } },
    async (_req, reply) => {
      const checks = await Promise.all(deps.readiness.map(run));
      const ok = checks.every((c) => c.ok);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
    },
  );
}
