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
      help: 'Lead writes, by result: written (inline), queued (outbox), replayed (outbox → sheet), dead (outbox, cannot be applied)',
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
  }
}
