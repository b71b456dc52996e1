import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { DomainError } from '../common/errors/domain-error.js';
import { RedisService } from '../infra/redis/redis.service.js';
import { AgentChannel } from '../realtime/agent-channel.service.js';
import { DialPlacement, type DialOptions } from './dial-placement.service.js';
import { DialerMetrics } from './dialer-metrics.js';
import type { DialResultDto } from './dto/dialer.dto.js';
import { SessionLock } from './session-lock.js';
import { type DialerSession, SessionStore } from './session.store.js';

/** A scheduled dial's record outlives its time by this much (a node that died with the timer: the console re-reads the session). */
const RECORD_GRACE_MS = 60_000;
/** Slack after the moment a slot frees, so the dial does not arrive a hair early. */
const SLACK_MS = 50;
/** A chained dial rescheduled this many times in a row gives up (the limit never frees: misconfiguration). */
const MAX_RESCHEDULES = 10;
/** How often every node looks for scheduled dials whose node did not fire them (it stopped). */
const SWEEP_EVERY_MS = 1000;
/** A dial this late has lost its timer: any node takes it (the owner's timer fires within milliseconds of `at`). */
const ORPHAN_AFTER_MS = 1500;

interface Scheduled {
  token: string;
  at: number;
  /** what the dial needs when another node takes it over */
  options?: DialOptions;
  rescheduled?: number;
}

/**
 * The chained dial that Dialpad's rate limit holds (5 call initiations per user
 * per minute): instead of ending the chain with a 429, the dial is scheduled for
 * the moment a slot frees. The disposition answers `next: {attempt_id: null,
 * scheduled_at}`, the agent's socket gets `DIAL_SCHEDULED`, and when the time
 * comes the dial runs under the session's lock — only if the session is still
 * PLAY with no call waiting for its disposition — and its result is pushed as
 * `DIAL_RESULT`. The schedule is kept in Redis (one per session, replaced by a
 * newer one; void when its time comes and the session has a call or left PLAY), with an index of due times;
 * the node that scheduled it arms a timer, and every node sweeps the index each second, so a dial whose node
 * stopped is placed by another within ~1.5 s of its time. Exactly once: the dial runs under the session's
 * lock and only while the schedule's token is still there, and deletes it first.
 */
@Injectable()
export class DialScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DialScheduler');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private sweeper: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(
    private readonly redis: RedisService,
    private readonly sessions: SessionStore,
    private readonly lock: SessionLock,
    private readonly placement: DialPlacement,
    private readonly agents: AgentChannel,
    private readonly metrics: DialerMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  beforeApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /**
   * Places the scheduled dials nobody placed in time (their node stopped); returns how many it took over.
   * Index entries without a schedule (placed, replaced, expired) are dropped.
   */
  async sweep(now = Date.now()): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    let taken = 0;
    try {
      const due = await this.redis.client.zrangebyscore(this.indexKey(), '-inf', now - ORPHAN_AFTER_MS, 'LIMIT', 0, 100);
      for (const member of due) {
        const [appId, sessionId] = member.split('/') as [AppId, string | undefined];
        if (!sessionId) {
          await this.redis.client.zrem(this.indexKey(), member);
          continue;
        }
        if (this.timers.has(sessionId)) continue; // ours, about to fire
        const record = await this.read(appId, sessionId);
        const session = record ? await this.sessions.get(appId, sessionId) : null;
        if (!record || !session) {
          await this.redis.client.zrem(this.indexKey(), member);
          continue;
        }
        taken++;
        this.logger.warn({ session_id: sessionId }, 'a scheduled dial its node did not place (the node stopped?): placing it here');
        await this.fire(session, record, record.options ?? {}, record.rescheduled ?? 0).catch((err: unknown) =>
          this.logger.error({ session_id: sessionId }, `scheduled dial failed: ${(err as Error).message}`),
        );
      }
    } catch (err) {
      this.logger.warn(`could not sweep the scheduled dials: ${(err as Error).message}`);
    } finally {
      this.sweeping = false;
    }
    return taken;
  }

  /**
   * Whether a failed chained dial should be scheduled instead: Dialpad's (or
   * our own client-side) rate limit, with the time a slot frees.
   */
  static waitOf(err: unknown): number | null {
    if (!(err instanceof DomainError) || err.code !== 'RATE_LIMITED') return null;
    const ms = err.details?.retry_after_ms;
    return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : null;
  }

  /** Schedules the session's next dial `waitMs` from now; answers what the disposition's `next` says. */
  async schedule(session: DialerSession, waitMs: number, options: DialOptions = {}, rescheduled = 0): Promise<DialResultDto> {
    const at = Date.now() + waitMs + SLACK_MS;
    const record: Scheduled = { token: randomUUID(), at, options, rescheduled };
    await this.redis.client.set(this.key(session.app_id, session.id), JSON.stringify(record), 'PX', waitMs + SLACK_MS + RECORD_GRACE_MS);
    await this.redis.client.zadd(this.indexKey(), at, `${session.app_id}/${session.id}`);
    this.arm(session, record, options, rescheduled);
    const scheduledAt = new Date(at).toISOString();
    this.metrics.dials.inc({ result: 'scheduled' });
    this.logger.log({ session_id: session.id, scheduled_at: scheduledAt }, "next dial scheduled: Dialpad's rate limit frees a slot then");
    await this.agents.send(session.app_id, session.agent_email, { event: 'DIAL_SCHEDULED', session_id: session.id, scheduled_at: scheduledAt });
    return { attempt_id: null, scheduled_at: scheduledAt, reason: `Dialpad's call rate limit: the next dial is scheduled for ${scheduledAt}` };
  }

  private arm(session: DialerSession, record: Scheduled, options: DialOptions, rescheduled: number): void {
    const previous = this.timers.get(session.id);
    if (previous) clearTimeout(previous);
    const timer = setTimeout(() => {
      this.timers.delete(session.id);
      this.fire(session, record, options, rescheduled).catch((err: unknown) =>
        this.logger.error({ session_id: session.id }, `scheduled dial failed: ${(err as Error).message}`),
      );
    }, Math.max(0, record.at - Date.now()));
    timer.unref();
    this.timers.set(session.id, timer);
  }

  private async fire(session: DialerSession, record: Scheduled, options: DialOptions, rescheduled: number): Promise<void> {
    if ((await this.read(session.app_id, session.id))?.token !== record.token) return; // replaced meanwhile
    let result: DialResultDto | null;
    try {
      result = await this.lock.run(session, async (fresh) => {
        if ((await this.read(session.app_id, session.id))?.token !== record.token) return null;
        await this.redis.client.del(this.key(session.app_id, session.id));
        await this.redis.client.zrem(this.indexKey(), `${session.app_id}/${session.id}`);
        if (fresh.state !== 'PLAY' || fresh.current_attempt_id) return null; // paused, or dialed by hand meanwhile
        return this.placement.dialLocked(fresh, options);
      });
    } catch (err) {
      const wait = DialScheduler.waitOf(err);
      if (wait !== null && rescheduled < MAX_RESCHEDULES) {
        const fresh = (await this.sessions.get(session.app_id, session.id)) ?? session;
        await this.schedule(fresh, wait, options, rescheduled + 1);
        return;
      }
      await this.redis.client.del(this.key(session.app_id, session.id));
      // SESSION_BUSY: the agent is dialing or disposing right now, and that decides the next dial
      if (err instanceof DomainError && err.code === 'SESSION_BUSY') return;
      const message = err instanceof DomainError ? err.message : 'internal error';
      await this.agents.send(session.app_id, session.agent_email, {
        event: 'DIAL_RESULT',
        session_id: session.id,
        attempt: null,
        attempt_id: null,
        reason: `The scheduled dial failed: ${message}`,
        skipped: {},
      });
      return;
    }
    if (result) await this.agents.send(session.app_id, session.agent_email, { event: 'DIAL_RESULT', session_id: session.id, ...result });
  }

  private async read(appId: AppId, sessionId: string): Promise<Scheduled | null> {
    const raw = await this.redis.client.get(this.key(appId, sessionId));
    if (!raw) return null;
    try {
      return JSON.parse(raw) as Scheduled;
    } catch {
      return null;
    }
  }

  private key(appId: AppId, sessionId: string): string {
    return this.redis.key(`dialer:scheduled:{${appId}:${sessionId}}`);
  }

  /** Every node's scheduled dials by due time (one key: one slot on a Redis Cluster); members `appId/sessionId`. */
  private indexKey(): string {
    return this.redis.key('dialer:scheduled-due');
  }
}
