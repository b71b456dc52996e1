import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../infra/metrics/metrics.service.js';
import { EventsRepository } from './events.repository.js';

/** Prometheus instruments of the event pipeline. */
@Injectable()
export class EventMetrics {
  readonly received: Counter<'result'>;
  readonly rejected: Counter<'status'>;
  readonly processed: Counter<'event_type'>;
  readonly failed: Counter<'event_type'>;
  readonly dead: Counter<'event_type'>;
  readonly latency: Histogram;
  readonly queueDepth: Gauge;
  readonly queueAge: Gauge;
  readonly unknownStates: Counter<'state'>;
  readonly deferred: Counter;
  /** distinct `state` labels seen: bounded, since the words come from payloads */
  private readonly stateLabels = new Set<string>();

  constructor(metrics: MetricsService, events: EventsRepository) {
    const registers = [metrics.registry];
    this.received = new Counter({ name: 'cti_events_received_total', help: 'Webhook events accepted, by result (stored|duplicate)', labelNames: ['result'], registers });
    this.rejected = new Counter({ name: 'cti_events_rejected_total', help: 'Webhook deliveries refused, by HTTP status', labelNames: ['status'], registers });
    this.processed = new Counter({ name: 'cti_events_processed_total', help: 'Events processed', labelNames: ['event_type'], registers });
    this.failed = new Counter({ name: 'cti_events_failed_total', help: 'Event processing failures (each attempt)', labelNames: ['event_type'], registers });
    this.dead = new Counter({ name: 'cti_events_dead_total', help: 'Events dead-lettered', labelNames: ['event_type'], registers });
    this.latency = new Histogram({
      name: 'cti_event_processing_latency_seconds',
      help: 'From receipt (received_at) to processed (commit)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.unknownStates = new Counter({
      name: 'cti_dialpad_unknown_states_total',
      help: 'Dialpad call events of a state the service does not know (stored, processed, no effect), by state',
      labelNames: ['state'],
      registers,
    });
    this.deferred = new Counter({
      name: 'cti_event_processing_deferred_seconds_total',
      help: 'Time this node\'s event processor left the CPU to webhooks waiting for their commit (EVENT_INGEST_PRIORITY_QUEUE)',
      registers,
    });
    // read from PostgreSQL at scrape time: the queue is shared by every node
    let stats: Promise<{ depth: number; oldestAgeSeconds: number }> | null = null;
    const read = () => (stats ??= events.queueStats().finally(() => setTimeout(() => (stats = null), 1000).unref()));
    this.queueDepth = new Gauge({
      name: 'cti_event_queue_depth',
      help: 'Events waiting to be processed (all nodes)',
      registers,
      async collect() {
        this.set((await read().catch(() => ({ depth: -1 }))).depth);
      },
    });
    this.queueAge = new Gauge({
      name: 'cti_event_queue_oldest_age_seconds',
      help: 'Age of the oldest unprocessed event',
      registers,
      async collect() {
        this.set((await read().catch(() => ({ oldestAgeSeconds: -1 }))).oldestAgeSeconds);
      },
    });
  }

  /** Counts a call event of an unknown state; past MAX_STATE_LABELS distinct words the rest count as `other`. */
  countUnknownState(state: string): void {
    if (!this.stateLabels.has(state) && this.stateLabels.size < MAX_STATE_LABELS) this.stateLabels.add(state);
    this.unknownStates.inc({ state: this.stateLabels.has(state) ? state : 'other' });
  }
}

const MAX_STATE_LABELS = 50;
