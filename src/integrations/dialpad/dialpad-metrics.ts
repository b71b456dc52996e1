import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../../infra/metrics/metrics.service.js';

export type DialpadOutcome = 'ok' | 'rate_limited' | 'unavailable' | 'refused' | 'circuit_open';

/** Prometheus instruments of the Dialpad client. */
@Injectable()
export class DialpadMetrics {
  readonly requests: Counter<'operation' | 'outcome'>;
  readonly attempts: Counter<'operation' | 'result'>;
  readonly tokenRefreshes: Counter<'result'>;
  readonly attemptDuration: Histogram<'operation' | 'result'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.requests = new Counter({
      name: 'cti_dialpad_requests_total',
      help: 'Dialpad API/OAuth calls by operation and final outcome (after retries)',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.attempts = new Counter({
      name: 'cti_dialpad_attempts_total',
      help: 'HTTP attempts sent to Dialpad, by operation and HTTP status (or timeout/network)',
      labelNames: ['operation', 'result'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'cti_dialpad_request_duration_seconds',
      help: 'Duration of each HTTP attempt to Dialpad, by operation and result (HTTP status, timeout, connect, network)',
      labelNames: ['operation', 'result'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.tokenRefreshes = new Counter({
      name: 'cti_dialpad_token_refreshes_total',
      help: 'Dialpad access-token refreshes, by result',
      labelNames: ['result'],
      registers,
    });
  }
}
