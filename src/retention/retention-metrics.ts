import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../infra/metrics/metrics.service.js';
import { EVENT_LOG_TABLE, EventLogPartitionsRepository } from './event-log-partitions.repository.js';

/** Prometheus instruments of the retention job. */
@Injectable()
export class RetentionMetrics {
  readonly runs: Counter<'result'>;
  readonly partitionsCreated: Counter<'table'>;
  readonly partitionsDropped: Counter<'table'>;
  readonly rowsDropped: Counter<'table'>;
  readonly lastSuccess: Gauge;

  constructor(metrics: MetricsService, partitions: EventLogPartitionsRepository) {
    const registers = [metrics.registry];
    this.runs = new Counter({
      name: 'cti_retention_runs_total',
      help: 'Retention job runs on this node, by result (ran|skipped: another node held the lock|failed)',
      labelNames: ['result'],
      registers,
    });
    this.partitionsCreated = new Counter({ name: 'cti_retention_partitions_created_total', help: 'Partitions created ahead, by table', labelNames: ['table'], registers });
    this.partitionsDropped = new Counter({ name: 'cti_retention_partitions_dropped_total', help: 'Partitions dropped past the retention, by table', labelNames: ['table'], registers });
    this.rowsDropped = new Counter({
      name: 'cti_retention_rows_dropped_total',
      help: 'Rows removed by retention, by table (webhook_events: in dropped partitions; webhook_event_keys: past the dedup window; calls, voicemails, sms_messages: CALL_RETENTION_DAYS)',
      labelNames: ['table'],
      registers,
    });
    this.lastSuccess = new Gauge({ name: 'cti_retention_last_success_timestamp_seconds', help: 'When this node last completed a retention run', registers });
    // read at scrape time: the partitions are shared by every node
    let stats: Promise<{ partitions: number; aheadSeconds: number }> | null = null;
    const read = () => (stats ??= partitions.stats(EVENT_LOG_TABLE).finally(() => setTimeout(() => (stats = null), 1000).unref()));
    new Gauge({
      name: 'cti_event_log_partitions',
      help: 'Partitions of webhook_events',
      registers,
      async collect() {
        this.set((await read().catch(() => ({ partitions: -1 }))).partitions);
      },
    });
    new Gauge({
      name: 'cti_event_log_partitions_ahead_seconds',
      help: 'Time until the end of the newest partition of webhook_events (an insert after it would fail)',
      registers,
      async collect() {
        this.set((await read().catch(() => ({ aheadSeconds: -1 }))).aheadSeconds);
      },
    });
  }
}
