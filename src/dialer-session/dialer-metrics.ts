import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../infra/metrics/metrics.service.js';

/**
 * The dialer's Prometheus instruments. Per campaign: calls initiated, connected
 * and completed, so that the success rate (connected ÷ initiated) is one PromQL
 * ratio per campaign (deploy/prometheus/alerts.yml, DialerLowSuccessRate).
 */
@Injectable()
export class DialerMetrics {
  readonly dials: Counter<'result'>;
  readonly dispositions: Counter<'code'>;
  readonly callsInitiated: Counter<'campaign'>;
  readonly callsConnected: Counter<'campaign'>;
  readonly callsCompleted: Counter<'campaign' | 'connected'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.dials = new Counter({ name: 'cti_dialer_dials_total', help: 'Dial attempts by result (placed|failed|scheduled: a chained dial held by Dialpad\'s rate limit)', labelNames: ['result'], registers });
    this.dispositions = new Counter({ name: 'cti_dialer_dispositions_total', help: 'Dispositions by code', labelNames: ['code'], registers });
    this.callsInitiated = new Counter({ name: 'cti_dialer_calls_initiated_total', help: 'Dialer calls placed at Dialpad, by campaign', labelNames: ['campaign'], registers });
    this.callsConnected = new Counter({ name: 'cti_dialer_calls_connected_total', help: 'Dialer calls answered, by campaign', labelNames: ['campaign'], registers });
    this.callsCompleted = new Counter({
      name: 'cti_dialer_calls_completed_total',
      help: 'Dialer calls ended, by campaign and whether they were answered',
      labelNames: ['campaign', 'connected'],
      registers,
    });
  }
}
