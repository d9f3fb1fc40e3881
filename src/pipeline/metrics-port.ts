/**
 * The Metrics port: counters, a latency histogram and queue depth gauges the pipeline reports.
 * The API layer implements it with prom-client and renders it at /metrics; tests use the no-op
 * (or the recording) implementation below. Pure: no prom-client here.
 */
import type { Direction } from './store-port.js';

export type MessageEvent =
  'received' | 'delivered' | 'posted' | 'failed' | 'dead' | 'sap-error' | 'in-doubt' | 'unconfirmed';

export interface MessageLabels {
  /** Partner profile name, or `-` for gateway-generated messages (status IDocs to SAP). */
  readonly partner: string;
  /** MESTYP or contract message type, `-` when unknown. */
  readonly messageType: string;
  readonly direction: Direction;
}

export interface PipelineMetrics {
  /** Counts one message event (received at ingest, delivered, failed attempt, dead-lettered). */
  count(event: MessageEvent, labels: MessageLabels): void;
  /** Receipt-to-delivery latency in seconds. */
  observeLatency(labels: MessageLabels, seconds: number): void;
  /** Current job counts of a destination queue. */
  setQueueDepth(queue: string, state: 'waiting' | 'active' | 'delayed', value: number): void;
}

export const noopMetrics: PipelineMetrics = {
  count: () => undefined,
  observeLatency: () => undefined,
  setQueueDepth: () => undefined,
};

/** A metrics implementation that keeps totals in memory (tests, the CLI). */
export class RecordingMetrics implements PipelineMetrics {
  readonly counts = new Map<string, number>();
  readonly latencies: number[] = [];
  readonly depths = new Map<string, number>();

  static key(event: MessageEvent, labels: MessageLabels): string {
    return `${event}|${labels.partner}|${labels.messageType}|${labels.direction}`;
  }

  count(event: MessageEvent, labels: MessageLabels): void {
    const k = RecordingMetrics.key(event, labels);
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  /** Sum of an event over all labels. */
  total(event: MessageEvent): number {
    let n = 0;
    for (const [k, v] of this.counts) if (k.startsWith(`${event}|`)) n += v;
    return n;
  }

  observeLatency(_labels: MessageLabels, seconds: number): void {
    this.latencies.push(seconds);
  }

  setQueueDepth(queue: string, state: 'waiting' | 'active' | 'delayed', value: number): void {
    this.depths.set(`${queue}|${state}`, value);
  }
}
