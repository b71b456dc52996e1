import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import pg from 'pg';
import { AppChanges } from '../apps/app-changes.service.js';
import { DrainLoop } from '../common/drain-loop.js';
import { compareBigintIds } from '../common/ids.js';
import { AppConfig } from '../infra/config/app-config.js';
import { PgListener } from '../infra/database/pg-listener.js';
import { Sql } from '../infra/database/sql.js';
import { EventMessage, toEventMessage } from './event-message.js';
import { EventWriter, WriteResult } from './event-writer.js';
import { type Failure, prepare, type PreparedItem, toProcessedEvent } from './prepared-batch.js';
import { EventMetrics } from './event-metrics.js';
import { ClaimedEvent, EventsRepository } from './events.repository.js';
import { IngestPressure } from './ingest-pressure.js';
import { ProcessedEvent, ProcessedEventsBus } from './processed-events.bus.js';

const NOTIFY_CHANNEL = 'webhook_events';
const POLL_INTERVAL_NAME = 'event-processor-poll';
/**
 * A claim starts its walk of the due index this far below the oldest event this node last claimed (see
 * EventsRepository.claimDue): an event's received_at is its INSERT's start, so one stored by a statement still
 * running then is not left below the floor.
 */
const FLOOR_MARGIN_MS = 5000;
/** At least this often a claim walks the whole queue: what is due below the floor (retries, replays, a crashed batch). */
const WHOLE_QUEUE_INTERVAL_MS = 1000;

/**
 * Statement plans: which of a batch's statements are prepared, and why. A named (prepared) statement settles on
 * a generic plan after five executions, and keeps it for the connection's life unless an ANALYZE invalidates it
 * (never, where autovacuum is off). One made while `calls` or today's event partition was nearly empty is a seq scan
 * or a hash join over every partition, and stays so as the tables grow. So the statements that look rows up by key
 * (the calls lookup, insert and write, the CRM users, mark-processed) are unnamed: parsed and planned for the batch's
 * own keys each time. Two stay named, with the generic plan they are shaped for: the claim (planned for its actual
 * limit it sorted the whole backlog: 184 ms a claim with 110,000 waiting) and the stream counter (one row per app).
 *
 * Not `SET LOCAL plan_cache_mode = force_custom_plan` for the transaction, as before: that also re-planned every
 * foreign-key check's cached statement, once per inserted row (`SELECT 1 FROM apps … FOR KEY SHARE`: 478 ms of
 * planning for 9,811 events in one 10 s burst, by pg_stat_statements; 1.7 ms with the statements unnamed), and cost a
 * round trip per batch.
 */

/**
 * Turns stored webhook events into calls and voicemails (docs/architecture.md, "Webhook to screen pop").
 *
 * Wakes on NOTIFY (sent by the insert trigger) and on a fallback poll. Each
 * batch is one transaction: claim with FOR UPDATE SKIP LOCKED (other nodes skip
 * these rows), write the batch (set-based, no savepoints; if that fails the batch
 * is redone with each event in a savepoint, so a failing event is rolled back
 * alone and rescheduled), give the messages their stream positions, mark the
 * events processed, commit, and only then hand the results to
 * ProcessedEventsBus. A node that dies mid-batch never commits: its claims
 * return to the queue.
 */
@Injectable()
export class EventProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventProcessor.name);
  /** EVENT_PROCESSOR_CONCURRENCY loops; loop i wakes loop i+1 when its batch came full (a backlog) */
  private readonly loops: DrainLoop[];
  private listener: PgListener | null = null;
  /** where the next claim's walk starts (timestamptz), and when a claim next walks the whole queue */
  private claimFloor = '-infinity';
  private wholeQueueAt = 0;
  /** how long the oldest event of the last batch had waited (0: the last claim found nothing) */
  private lagMs = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly db: Sql,
    private readonly events: EventsRepository,
    private readonly writer: EventWriter,
    private readonly bus: ProcessedEventsBus,
    private readonly metrics: EventMetrics,
    private readonly scheduler: SchedulerRegistry,
    private readonly pressure: IngestPressure,
    appChanges: AppChanges,
  ) {
    this.loops = Array.from({ length: config.EVENT_PROCESSOR_CONCURRENCY }, (_, i) => {
      let limit = config.EVENT_BATCH_SIZE;
      return new DrainLoop(
        async () => {
          // webhooks first: a node full with them stores events before it processes any, while the backlog is young
          // ("Webhooks first" in docs/architecture.md)
          const deferredMs = this.lagMs < config.EVENT_INGEST_PRIORITY_MAX_LAG_MS ? await this.pressure.deferred() : 0;
          if (deferredMs > 0) this.metrics.deferred.inc(deferredMs / 1000);
          const full = (await this.processBatch(limit)) === limit;
          // a backlog: bigger batches (fewer commits per event), and the next loop claims while this one commits
          limit = full ? Math.min(Math.max(limit * 2, config.EVENT_BATCH_SIZE), config.EVENT_BATCH_MAX) : config.EVENT_BATCH_SIZE;
          if (full) this.loops[(i + 1) % this.loops.length]!.wake();
          return full;
        },
        // the database is unreachable or the batch could not commit: the poll tries again
        (err) => this.logger.error(`event batch failed: ${(err as Error).message}`),
      );
    });
    // an app re-activated on any node: its waiting events are due now, not at the next poll
    appChanges.subscribe(() => this.wakeForWholeQueue());
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.EVENT_PROCESSOR_ENABLED) return;
    if (this.config.EVENT_NOTIFY_ENABLED) {
      this.listener = new PgListener({
        connectionString: this.config.DATABASE_URL ?? '',
        channel: NOTIFY_CHANNEL,
        applicationName: 'turbo-cti-listener',
        onNotify: () => this.wake(),
        onListening: () => this.wake(), // anything inserted while we were not listening
        onProblem: (message) => this.logger.warn(message),
      });
      await this.listener.start();
    }
    this.scheduler.addInterval(POLL_INTERVAL_NAME, setInterval(() => this.wake(), this.config.EVENT_POLL_INTERVAL_MS));
    this.wake();
  }

  /** Graceful shutdown: stop claiming, let the batch in flight commit. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('interval', POLL_INTERVAL_NAME)) this.scheduler.deleteInterval(POLL_INTERVAL_NAME);
    await this.listener?.stop();
    await Promise.all(this.loops.map((loop) => loop.stop()));
  }

  /** Runs batches until the queue is drained; concurrent wake-ups coalesce into one more pass. */
  wake(): void {
    if (this.config.EVENT_PROCESSOR_ENABLED) this.loops[0]!.wake();
  }

  /** Wakes the processor for events that may be due below the claims' floor (a replay, an app made active again). */
  wakeForWholeQueue(): void {
    this.wholeQueueAt = 0;
    this.wake();
  }

  /** Resolves when no batch is running (tests, shutdown). */
  async idle(): Promise<void> {
    // a loop finishing a full batch may have woken the next one: wait until none runs
    do await Promise.all(this.loops.map((loop) => loop.idle()));
    while (this.loops.some((loop) => loop.busy));
  }

  /**
   * One batch (at most `limit` events) in one transaction; its messages are published after the commit. Returns how
   * many events it claimed. Optimistic: the batch is written without savepoints (two round trips fewer on every
   * event's path); if writing it fails on a connection that still answers, nothing was committed, and the batch
   * runs again at once with each event isolated in its own savepoint, so the failing one is recorded and the
   * others go through. Any other failure fails the batch (nothing committed; the next pass redoes it).
   */
  async processBatch(limit = this.config.EVENT_BATCH_SIZE): Promise<number> {
    const startedAt = Date.now();
    const wholeQueue = startedAt >= this.wholeQueueAt;
    if (wholeQueue) this.wholeQueueAt = startedAt + WHOLE_QUEUE_INTERVAL_MS;
    let batch;
    try {
      batch = await this.db.transaction((client) => this.processClaimed(client, limit, false, wholeQueue ? '-infinity' : this.claimFloor));
    } catch (err) {
      if (!(err instanceof IsolateAndRetry)) throw err;
      // the same events again (the floor may have moved meanwhile): the whole queue, oldest first
      batch = await this.db.transaction((client) => this.processClaimed(client, limit, true, '-infinity'));
    }
    this.lagMs = batch.claimed.length > 0 ? Date.now() - batch.claimed[0]!.received_at.getTime() : 0;
    if (batch.claimed.length > 0) {
      this.claimFloor = new Date(batch.claimed[0]!.received_at.getTime() - FLOOR_MARGIN_MS).toISOString();
      this.afterCommit(batch.claimed, batch.processedIds, batch.outputs, batch.unknownStates);
    }
    return batch.claimed.length;
  }

  private async processClaimed(
    client: pg.PoolClient,
    limit: number,
    isolate: boolean,
    floor: string,
  ): Promise<{ claimed: ClaimedEvent[]; processedIds: string[]; outputs: ProcessedEvent[]; unknownStates: string[] }> {
    const claimed = await this.events.claimDue(client, limit, floor);
    if (claimed.length === 0) return { claimed, processedIds: [], outputs: [], unknownStates: [] };
    const { items, failures, passive } = prepare(claimed);
    const results = isolate ? await this.writeIsolated(client, items, failures) : await this.writeOptimistic(client, items);
    const failed = new Set(failures.map((f) => f.event.id));
    for (const f of failures) await this.recordFailure(client, f.event, f.error);
    const outputs: ProcessedEvent[] = [];
    for (const item of items) if (!failed.has(item.eventId)) outputs.push(toProcessedEvent(item, results.get(item.eventId)!));
    outputs.sort((a, b) => compareBigintIds(a.eventId, b.eventId));
    await this.assignStreamSeqs(client, outputs);
    const receivedAtOf = new Map(claimed.map((c) => [c.id, c.received_at_exact]));
    const processed = [
      ...passive.map((p) => ({ id: p.event.id, receivedAt: p.event.received_at_exact, streamSeq: null, broadcast: null })),
      ...outputs.map((o) => ({ id: o.eventId, receivedAt: receivedAtOf.get(o.eventId)!, streamSeq: o.streamSeq, broadcast: o.messageJson })),
    ];
    await this.events.markProcessed(client, processed);
    return { claimed, processedIds: processed.map((p) => p.id), outputs, unknownStates: passive.map((p) => p.unknownState) };
  }

  private async writeOptimistic(client: pg.PoolClient, items: PreparedItem[]): Promise<Map<string, WriteResult>> {
    try {
      return await this.writer.apply(client, items);
    } catch (err) {
      // a dead connection cannot roll back: the whole batch fails (nothing was committed)
      await client.query('ROLLBACK').catch(() => {
        throw err;
      });
      throw new IsolateAndRetry(err);
    }
  }

  /** The batch again after a failure: all of it in one savepoint, and if that fails, event by event. */
  private async writeIsolated(client: pg.PoolClient, items: PreparedItem[], failures: Failure[]): Promise<Map<string, WriteResult>> {
    await client.query('SAVEPOINT batch');
    try {
      const results = await this.writer.apply(client, items);
      await client.query('RELEASE SAVEPOINT batch');
      return results;
    } catch (batchError) {
      // a dead connection cannot roll back: let the whole batch fail (nothing was committed)
      await client.query('ROLLBACK TO SAVEPOINT batch').catch(() => {
        throw batchError;
      });
    }
    const results = new Map<string, WriteResult>();
    for (const item of items) {
      await client.query('SAVEPOINT event');
      try {
        for (const [seq, result] of await this.writer.apply(client, [item])) results.set(seq, result);
        await client.query('RELEASE SAVEPOINT event');
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT event').catch(() => {
          throw error;
        });
        failures.push({ event: item.claimed, error });
      }
    }
    return results;
  }

  private async recordFailure(client: pg.PoolClient, event: ClaimedEvent, err: unknown): Promise<void> {
    const attempts = event.attempts + 1;
    const dead = attempts >= this.config.EVENT_MAX_ATTEMPTS;
    const delay = retryDelayMs(attempts, this.config.EVENT_RETRY_MAX_DELAY_MS);
    const message = (err as Error)?.message ?? String(err);
    await this.events.markFailed(client, event.id, message, delay, dead);
    this.metrics.failed.inc({ event_type: event.event_type });
    if (dead) {
      this.metrics.dead.inc({ event_type: event.event_type });
      this.logger.error(`event ${event.id} (${event.event_type}) dead-lettered after ${attempts} attempts: ${message}`);
    } else {
      this.logger.warn(`event ${event.id} (${event.event_type}) failed (attempt ${attempts}), retry in ${delay} ms: ${message}`);
    }
  }

  /**
   * Gives each event with a message its app's next stream position, then frames
   * the message (which carries it). Done last before the commit: the app counters
   * stay locked only from here to COMMIT.
   */
  private async assignStreamSeqs(client: pg.PoolClient, outputs: ProcessedEvent[]): Promise<void> {
    const counts = new Map<string, number>();
    const messages = new Map<ProcessedEvent, EventMessage>();
    for (const o of outputs) {
      const message = toEventMessage(o);
      if (!message) continue;
      messages.set(o, message);
      counts.set(o.appId, (counts.get(o.appId) ?? 0) + 1);
    }
    const last = await this.events.allocateStreamSeqs(client, counts);
    const next = new Map([...last].map(([appId, seq]) => [appId, seq - counts.get(appId)! + 1]));
    for (const [o, message] of messages) {
      const seq = next.get(o.appId)!;
      next.set(o.appId, seq + 1);
      o.streamSeq = seq;
      o.messageJson = JSON.stringify({ ...message, seq });
      o.messageTargets = { dialpadUserId: message.user_id, crmUserId: message.target_crm_user ?? null };
    }
  }

  private afterCommit(claimed: ClaimedEvent[], processedIds: string[], outputs: ProcessedEvent[], unknownStates: string[]): void {
    const byId = new Map(claimed.map((c) => [c.id, c]));
    const now = Date.now();
    for (const state of unknownStates) this.metrics.countUnknownState(state);
    for (const id of processedIds) {
      const event = byId.get(id);
      this.metrics.processed.inc({ event_type: event?.event_type ?? 'unknown' });
      if (event) this.metrics.latency.observe((now - event.received_at.getTime()) / 1000);
    }
    this.bus.publish(outputs);
  }
}

/** 1 s, 2 s, 4 s … with ±20 % jitter so retries of a burst spread out, never above maxMs. */
export function retryDelayMs(attempts: number, maxMs: number): number {
  const base = Math.min(maxMs, 1000 * 2 ** Math.max(0, attempts - 1));
  return Math.min(maxMs, Math.round(base * (0.8 + Math.random() * 0.4)));
}

/** Writing a batch failed on a live connection (rolled back): redo it with each event isolated. */
class IsolateAndRetry extends Error {
  constructor(readonly reason: unknown) {
    super(`batch write failed, redone event by event: ${(reason as Error)?.message ?? String(reason)}`);
  }
}
