import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../../infra/metrics/metrics.service.js';

/** Prometheus instruments of the Google Sheets integration. */
@Injectable()
export class SheetsMetrics {
  readonly requests: Counter<'method' | 'status'>;
  readonly errors: Counter<'method' | 'status'>;
  readonly retries: Counter<'method'>;
  readonly circuitOpen: Gauge;
  readonly writes: Counter<'result'>;
  readonly outboxDepth: Gauge;
  readonly duration: Histogram<'method' | 'status'>;
  readonly quotaLimit: Gauge<'kind'>;
  readonly quotaUsed: Counter<'kind'>;
  readonly quotaInWindow: Gauge<'kind'>;
  readonly quotaWait: Histogram<'kind'>;
  readonly quotaPushback: Counter<'kind'>;
  readonly queueAge: Gauge<'spreadsheet'>;
  readonly queueDepth: Gauge<'spreadsheet'>;
  readonly flushes: Counter<'result'>;
  readonly flushSize: Histogram;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.requests = new Counter({
      name: 'cti_sheets_requests_total',
      help: 'Google Sheets API calls (each HTTP attempt), by method and HTTP status (0: no answer)',
      labelNames: ['method', 'status'],
      registers,
    });
    this.errors = new Counter({
      name: 'cti_sheets_errors_total',
      help: 'Google Sheets API calls that failed, by method and HTTP status (0: no answer)',
      labelNames: ['method', 'status'],
      registers,
    });
    this.retries = new Counter({ name: 'cti_sheets_retries_total', help: 'Google Sheets API calls retried after a backoff', labelNames: ['method'], registers });
    this.circuitOpen = new Gauge({ name: 'cti_sheets_circuit_open', help: '1 while the Sheets circuit breaker is open', registers });
    this.writes = new Counter({
      name: 'cti_sheets_writes_total',
      help: 'Lead writes, by result: written (inline), queued (outbox), replayed (outbox → sheet), misplaced (landed on a moved row: written again), restored (a moved row put back), dead (outbox, cannot be applied)',
      labelNames: ['result'],
      registers,
    });
    this.duration = new Histogram({
      name: 'cti_sheets_request_duration_seconds',
      help: 'Duration of each Google Sheets API call, by method and HTTP status (0: no answer)',
      labelNames: ['method', 'status'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.outboxDepth = new Gauge({ name: 'cti_sheets_outbox_depth', help: 'Sheets writes waiting in the outbox', registers });
    this.quotaLimit = new Gauge({ name: 'cti_sheets_quota_limit', help: "The Google user's Sheets budget per quota window, by kind (read, write)", labelNames: ['kind'], registers });
    this.quotaUsed = new Counter({ name: 'cti_sheets_quota_used_total', help: 'Sheets requests that spent the shared budget, by kind', labelNames: ['kind'], registers });
    this.quotaInWindow = new Gauge({
      name: 'cti_sheets_quota_in_window',
      help: 'Sheets requests of every node in the current pacing slice (reads: a sixth of the quota window and budget; writes: one request at a time), as last seen by this node, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.quotaWait = new Histogram({
      name: 'cti_sheets_quota_wait_seconds',
      help: 'Time a Sheets request waited for the budget, by kind',
      labelNames: ['kind'],
      buckets: [0.01, 0.1, 0.5, 1, 5, 15, 30, 60],
      registers,
    });
    this.quotaPushback = new Counter({ name: 'cti_sheets_quota_pushback_total', help: 'Quota refusals (429) from Google despite the budget, by kind', labelNames: ['kind'], registers });
    this.queueAge = new Gauge({
      name: 'cti_sheets_queue_age_seconds',
      help: "Age of the oldest write waiting for a spreadsheet (0 when none), as last seen by this node's flusher",
      labelNames: ['spreadsheet'],
      registers,
    });
    this.queueDepth = new Gauge({ name: 'cti_sheets_queue_depth', help: 'Writes waiting for a spreadsheet, as last seen by this node', labelNames: ['spreadsheet'], registers });
    this.flushes = new Counter({ name: 'cti_sheets_flushes_total', help: 'Flushes of a spreadsheet\'s queued writes, by result (written, retry, empty)', labelNames: ['result'], registers });
    this.flushSize = new Histogram({ name: 'cti_sheets_flush_size', help: 'Queued writes carried by one flush (one request)', buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500], registers });
  }
}
