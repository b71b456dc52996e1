import { Injectable } from '@nestjs/common';
import { AggregatorRegistry, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { MetricsJson } from '../process/processor-child.js';

/** Another process's metrics served on this node's /metrics (the processor child): null when it has none to give. */
export type MetricsSource = () => Promise<MetricsJson | null>;

/**
 * The process's Prometheus registry. Feature modules register their own
 * counters and gauges on `registry` (see e.g. the webhook and realtime metrics).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  private readonly sources: MetricsSource[] = [];

  constructor() {
    this.registry.setDefaultLabels({ service: 'turbo-cti' });
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }

  /** Labels every series of this process with `process` (a child's series stay apart from its parent's). */
  labelProcess(name: string): void {
    this.registry.setDefaultLabels({ service: 'turbo-cti', process: name });
  }

  /** Serves another process's metrics with this one's. */
  addSource(source: MetricsSource): void {
    this.sources.push(source);
  }

  /**
   * The Prometheus text of this process and its sources, families merged (one HELP and TYPE per name). A source's
   * series carry their own `process` label, so merging keeps every series as it is ("sum" of one series each).
   */
  async scrape(): Promise<string> {
    if (this.sources.length === 0) return await this.registry.metrics();
    const others = (await Promise.all(this.sources.map((s) => s()))).filter((m): m is MetricsJson => m !== null);
    const all = [await this.registry.getMetricsAsJSON(), ...others].map((metrics) => metrics.map((m) => ({ ...m, aggregator: 'sum' as const })));
    return await AggregatorRegistry.aggregate(all).metrics();
  }
}
