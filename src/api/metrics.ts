/**
 * Prometheus metrics (prom-client) on a registry of their own (several apps can live in one test
 * process), rendered at `GET /metrics`:
 *
 *   idocgate_messages_received_total{partner,message_type,direction}   stored by an edge
 *   idocgate_messages_delivered_total{...}              delivered to the receiver
 *   idocgate_messages_failed_total{...}                 attempts that failed (will be retried)
 *   idocgate_messages_dead_total{...}                   dead-lettered
 *   idocgate_messages_posted_total{...}                 SAP reported it posted (53)
 *   idocgate_messages_sap_error_total{...}              SAP reported an application error (51...)
 *   idocgate_messages_in_doubt_total{...}               answer lost, not resent (in-doubt)
 *   idocgate_messages_unconfirmed_total{...}            no SAP status within the port's window
 *   idocgate_stuck_messages{status}                     dead, sap-error, in-doubt, unconfirmed now
 *   idocgate_delivery_latency_seconds{...}              receipt -> delivery (histogram)
 *   idocgate_queue_jobs{queue,state}                    BullMQ jobs waiting / active / delayed
 *   idocgate_dead_letters                               messages in the dead state now (store)
 *   + Node.js process metrics (idocgate_process_*, idocgate_nodejs_*)
 *
 * `message_type` is the IDoc message type (MESTYP) or the partner contract's message type.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MessageEvent, MessageLabels, PipelineMetrics } from '../pipeline/metrics-port.js';
import type { QueueDepth } from '../pipeline/queue-port.js';

export interface MetricsSources {
  /** Jobs per queue and state, read at scrape time. */
  queueDepths?: () => Promise<Readonly<Record<string, QueueDepth>>>;
  /** Number of dead messages in the store, read at scrape time. */
  deadLetters?: () => Promise<number>;
  /** Messages per stuck status (dead, sap-error, in-doubt, unconfirmed), read at scrape time. */
  stuck?: () => Promise<Readonly<Record<string, number>>>;
}

type LabelName = 'partner' | 'message_type' | 'direction';
const LABELS: LabelName[] = ['partner', 'message_type', 'direction'];

function labels(l: MessageLabels): Record<LabelName, string> {
  return { partner: l.partner || '-', message_type: l.messageType || '-', direction: l.direction };
}

const HELP: Readonly<Record<MessageEvent, string>> = {
  received: 'Messages stored by an edge (duplicates not counted)',
  delivered: 'Messages delivered to their receiver',
  failed: 'Delivery attempts that failed with a transient error (retried)',
  dead: 'Messages moved to dead letters (permanent error or retries exhausted)',
  posted: 'Messages SAP reported as posted (inbound status 53)',
  'sap-error': 'Messages SAP reported it could not post (status 51 and other application errors)',
  'in-doubt': 'Deliveries whose answer was lost on a port that does not drop duplicates (not resent)',
  unconfirmed: "Messages delivered to SAP without SAP's application status within the port's window",
};

/** The pipeline's metrics port on prom-client. */
export class PromMetrics implements PipelineMetrics {
  readonly registry = new Registry();
  readonly #counters: ReadonlyMap<MessageEvent, Counter<LabelName>>;
  readonly #latency: Histogram<LabelName>;
  readonly #depth: Gauge<'queue' | 'state'>;
  #sources: MetricsSources = {};

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.#counters = new Map(
      (Object.keys(HELP) as MessageEvent[]).map((event) => [
        event,
        new Counter({
          name: `idocgate_messages_${event.replace('-', '_')}_total`,
          help: HELP[event],
          labelNames: LABELS,
          registers,
        }),
      ]),
    );
    this.#latency = new Histogram({
      name: 'idocgate_delivery_latency_seconds',
      help: 'Time from receipt to delivery',
      labelNames: LABELS,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
    const sources = (): MetricsSources => this.#sources;
    this.#depth = new Gauge({
      name: 'idocgate_queue_jobs',
      help: 'BullMQ jobs per destination queue and state (work in flight)',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        const read = sources().queueDepths;
        if (!read) return;
        for (const [queue, d] of Object.entries(await read())) {
          this.set({ queue, state: 'waiting' }, d.waiting);
          this.set({ queue, state: 'active' }, d.active);
          this.set({ queue, state: 'delayed' }, d.delayed);
        }
      },
    });
    new Gauge({
      name: 'idocgate_dead_letters',
      help: 'Messages in the dead state now (waiting for replay or cancel)',
      registers,
      async collect() {
        const read = sources().deadLetters;
        if (read) this.set(await read());
      },
    });
    new Gauge({
      name: 'idocgate_stuck_messages',
      help: 'Messages waiting for a person now, by status (dead, sap-error, in-doubt, unconfirmed)',
      labelNames: ['status'],
      registers,
      async collect() {
        const read = sources().stuck;
        if (!read) return;
        for (const [status, n] of Object.entries(await read())) this.set({ status }, n);
      },
    });
    if (options.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'idocgate_' });
  }

  /** Where the scrape-time gauges read from (merged; set once the queues and store exist). */
  setSources(sources: MetricsSources): void {
    this.#sources = { ...this.#sources, ...sources };
  }

  count(event: MessageEvent, l: MessageLabels): void {
    this.#counters.get(event)?.inc(labels(l));
  }

  observeLatency(l: MessageLabels, seconds: number): void {
    this.#latency.observe(labels(l), seconds);
  }

  setQueueDepth(queue: string, state: 'waiting' | 'active' | 'delayed', value: number): void {
    this.#depth.set({ queue, state }, value);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

export async function metricsRoutes(
  app: FastifyInstance,
  deps: { readonly metrics: PromMetrics },
): Promise<void> {
  app.get(
    '/metrics',
    { schema: { tags: ['Health'], summary: 'Prometheus metrics' } },
    async (_req, reply) => {
      const text = await deps.metrics.render();
      return reply.type(deps.metrics.registry.contentType).send(text);
    },
  );
}
