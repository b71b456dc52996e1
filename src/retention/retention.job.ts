import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { PoolClient } from 'pg';
import { runDetached } from '../common/run-detached.js';
import { AppConfig } from '../infra/config/app-config.js';
import { Sql } from '../infra/database/sql.js';
import { EVENT_LOG_TABLE, EventLogPartitionsRepository } from './event-log-partitions.repository.js';
import { DAY_MS, planPartitions } from './partition-plan.js';
import { RECORD_TABLES, RecordRetentionRepository, RecordTable } from './record-retention.repository.js';
import { RetentionMetrics } from './retention-metrics.js';

/** Whole days of partitions kept ready after today. */
export const PARTITION_DAYS_AHEAD = 7;
/** Arbitrary but fixed, next to the migrations' 727_001: one node at a time runs the job. */
export const RETENTION_LOCK_KEY = 727_002;
const INTERVAL_NAME = 'retention-job';

export interface RetentionReport {
  created: string[];
  dropped: { name: string; rows: number; unprocessed: number }[];
  keysPurged: number;
  records: Partial<Record<RecordTable, number>>;
  errors: string[];
}

/**
 * The lifecycle of what grows with traffic (docs/architecture.md, "The event log's
 * lifecycle"): keeps `webhook_events` partitions PARTITION_DAYS_AHEAD days ahead,
 * drops those past EVENT_RETENTION_DAYS, trims the dedup keys to
 * EVENT_DEDUP_HOURS and, when CALL_RETENTION_DAYS is set, deletes old calls,
 * voicemails and SMS. Every node schedules it; a PostgreSQL advisory lock, held
 * on one connection for the run, lets one node at a time do it (a node that dies
 * lets go with its connection).
 */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionJob.name);
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: AppConfig,
    private readonly db: Sql,
    private readonly partitions: EventLogPartitionsRepository,
    private readonly records: RecordRetentionRepository,
    private readonly metrics: RetentionMetrics,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.RETENTION_JOB_ENABLED) return;
    this.scheduler.addInterval(INTERVAL_NAME, setInterval(() => this.runInBackground(), this.config.RETENTION_JOB_INTERVAL_MS));
    this.runInBackground();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) this.scheduler.deleteInterval(INTERVAL_NAME);
    await this.running.catch(() => undefined);
  }

  private runInBackground(): void {
    const run = this.run();
    this.running = run;
    runDetached(run, this.logger, 'retention job');
  }

  /** One run; null when another node (or another run here) holds the lock. */
  async run(now = new Date()): Promise<RetentionReport | null> {
    const client = await this.db.pool.connect();
    let locked = false;
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [RETENTION_LOCK_KEY]);
      locked = rows[0]?.ok === true;
      if (!locked) {
        this.metrics.runs.inc({ result: 'skipped' });
        return null;
      }
      const report = await this.runLocked(client, now);
      this.metrics.runs.inc({ result: report.errors.length > 0 ? 'failed' : 'ran' });
      if (report.errors.length === 0) this.metrics.lastSuccess.set(Date.now() / 1000);
      return report;
    } catch (err) {
      this.metrics.runs.inc({ result: 'failed' });
      throw err;
    } finally {
      if (locked) await client.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_KEY]).catch(() => undefined);
      client.release();
    }
  }

  private async runLocked(client: PoolClient, now: Date): Promise<RetentionReport> {
    const report: RetentionReport = { created: [], dropped: [], keysPurged: 0, records: {}, errors: [] };
    const attempt = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        // a lock timeout or a failed statement: reported, the rest of the run goes on, the next run retries
        report.errors.push(`${what}: ${(err as Error).message}`);
        this.logger.error(`retention: ${what} failed: ${(err as Error).message}`);
      }
    };

    const plan = planPartitions(EVENT_LOG_TABLE, await this.partitions.list(client, EVENT_LOG_TABLE), now, PARTITION_DAYS_AHEAD, this.config.EVENT_RETENTION_DAYS);
    await this.partitions.withLockTimeout(client, async () => {
      for (const p of plan.create) {
        await attempt(`creating ${p.name}`, async () => {
          await this.partitions.create(client, EVENT_LOG_TABLE, p);
          report.created.push(p.name);
          this.metrics.partitionsCreated.inc({ table: EVENT_LOG_TABLE });
        });
      }
      for (const name of plan.drop) {
        await attempt(`dropping ${name}`, async () => {
          const dropped = await this.partitions.drop(client, name);
          report.dropped.push({ name, ...dropped });
          this.metrics.partitionsDropped.inc({ table: EVENT_LOG_TABLE });
          this.metrics.rowsDropped.inc({ table: EVENT_LOG_TABLE }, dropped.rows);
          const unprocessed = dropped.unprocessed > 0 ? ` (${dropped.unprocessed} never processed: their app was inactive or they were pending)` : '';
          this.logger.log(`retention: dropped ${name}, ${dropped.rows} events older than ${this.config.EVENT_RETENTION_DAYS} days${unprocessed}`);
        });
      }
    });

    await attempt('trimming dedup keys', async () => {
      report.keysPurged = await this.partitions.purgeKeys(new Date(now.getTime() - this.config.EVENT_DEDUP_HOURS * 3_600_000));
      this.metrics.rowsDropped.inc({ table: 'webhook_event_keys' }, report.keysPurged);
    });

    if (this.config.CALL_RETENTION_DAYS > 0) {
      const before = new Date(now.getTime() - this.config.CALL_RETENTION_DAYS * DAY_MS);
      for (const table of RECORD_TABLES) {
        await attempt(`deleting old ${table}`, async () => {
          const n = await this.records.deleteUnchangedSince(table, before);
          report.records[table] = n;
          this.metrics.rowsDropped.inc({ table }, n);
        });
      }
    }
    return report;
  }
}
