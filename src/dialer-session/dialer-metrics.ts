import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../infra/metrics/metrics.service.js';

@Injectable()
export class DialerMetrics {
  readonly dials: Counter<'result'>;
  readonly dispositions: Counter<'code'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.dials = new Counter({ name: 'cti_dialer_dials_total', help: 'Dial attempts by result (placed|failed)', labelNames: ['result'], registers });
    this.dispositions = new Counter({ name: 'cti_dialer_dispositions_total', help: 'Dispositions by code', labelNames: ['code'], registers });
  }
}
