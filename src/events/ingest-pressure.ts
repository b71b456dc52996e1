import { Injectable } from '@nestjs/common';
import { AppConfig } from '../infra/config/app-config.js';

/** The time constant of the congestion average: a burst is seen within about this, its end within a few times it. */
const TAU_MS = 100;
/** How often a deferring processor looks again whether the webhooks still press. */
const RECHECK_MS = 10;

/**
 * How hard webhooks press on this node: the number of requests waiting for their event's commit, averaged over
 * time (about the last TAU_MS). The count itself falls to zero at every commit, which settles a whole micro-batch
 * at once; its average says whether requests keep queuing (Little's law: arrival rate × time to commit).
 *
 * Webhooks come first when the node is full (docs/architecture.md, "Webhooks first"): while that average is at or
 * above EVENT_INGEST_PRIORITY_QUEUE, the event processor of this node defers its next batch (`deferred()`), for at
 * most EVENT_INGEST_PRIORITY_MAX_DEFER_MS, then runs one anyway (a backlog's batches are full-size, so it moves),
 * and again, as long as its backlog is younger than EVENT_INGEST_PRIORITY_MAX_LAG_MS (the processor's side). An
 * event stored is safe and Dialpad gets its 200 at once; one processed a second later is a late screen pop. When
 * webhooks come slower than the node can take them, nobody waits and nothing is deferred.
 */
@Injectable()
export class IngestPressure {
  /** requests between store() and their commit, now */
  private waiting = 0;
  /** `waiting` averaged over time (exponentially, time constant TAU_MS), as of `at` */
  private level = 0;
  private at = 0;
  /** what the web process says of its webhooks, in a processor child (EVENT_PROCESSOR_PROCESS=child) */
  private parentPressing = false;
  private readonly watchers = new Set<(pressing: boolean) => void>();
  /** while watched and pressing: the timer that sees the pressure end */
  private watchTimer: NodeJS.Timeout | undefined;

  constructor(private readonly config: AppConfig) {}

  /** A webhook's event was handed to the store (before its commit). */
  arrived(now = Date.now()): void {
    this.advance(now);
    this.waiting++;
    if (this.watchers.size > 0 && this.watchTimer === undefined && this.pressing(now)) this.announce();
  }

  /** That event was committed (or refused). */
  settled(now = Date.now()): void {
    this.advance(now);
    this.waiting = Math.max(0, this.waiting - 1);
  }

  /** How many requests have been waiting for a commit, on average over about the last TAU_MS. */
  congestion(now = Date.now()): number {
    this.advance(now);
    return this.level;
  }

  /** Whether the processor should leave the node to webhooks now. */
  pressing(now = Date.now()): boolean {
    const threshold = this.config.EVENT_INGEST_PRIORITY_QUEUE;
    return this.parentPressing || (threshold > 0 && this.congestion(now) >= threshold);
  }

  /**
   * Tells `listener` when webhooks start pressing (true) and when they stop (false), within RECHECK_MS: how the web
   * process lets its processor child defer too (src/infra/process/processor-child.ts). Returns the unsubscribe.
   */
  watch(listener: (pressing: boolean) => void): () => void {
    this.watchers.add(listener);
    return () => {
      this.watchers.delete(listener);
      if (this.watchers.size === 0) {
        clearInterval(this.watchTimer);
        this.watchTimer = undefined;
      }
    };
  }

  /** In a processor child: the web process's webhooks press (or no longer do). */
  pressedByParent(pressing: boolean): void {
    this.parentPressing = pressing;
  }

  /**
   * Resolves once webhooks no longer press, or after EVENT_INGEST_PRIORITY_MAX_DEFER_MS, with the milliseconds it
   * deferred (0 at once when they do not press: the idle path pays nothing but this call).
   */
  async deferred(): Promise<number> {
    const started = Date.now();
    if (!this.pressing(started)) return 0;
    const until = started + this.config.EVENT_INGEST_PRIORITY_MAX_DEFER_MS;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, RECHECK_MS));
      const now = Date.now();
      if (now >= until || !this.pressing(now)) return now - started;
    }
  }

  private announce(): void {
    for (const w of this.watchers) w(true);
    this.watchTimer = setInterval(() => {
      if (this.pressing()) return;
      clearInterval(this.watchTimer);
      this.watchTimer = undefined;
      for (const w of this.watchers) w(false);
    }, RECHECK_MS);
    this.watchTimer.unref();
  }

  /** The count held since `at` enters the average for the time it was held. */
  private advance(now: number): void {
    const held = now - this.at;
    if (held <= 0) return;
    this.level = this.waiting + (this.level - this.waiting) * Math.exp(-held / TAU_MS);
    this.at = now;
  }
}
