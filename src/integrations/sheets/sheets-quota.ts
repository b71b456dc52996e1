import { readFileSync } from 'node:fs';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../infra/config/app-config.js';
import { RedisService } from '../../infra/redis/redis.service.js';
import { takeSlot, type WindowRule } from '../../infra/redis/sliding-window.js';
import { SheetsMetrics } from './sheets-metrics.js';

/** Google counts reads and writes against separate per-minute quotas. */
export type QuotaKind = 'read' | 'write';

/** How long a 429 from Google halves the budget (slow down, then recover). */
const SLOW_FOR_WINDOWS = 1;
/**
 * The budget is counted over a window this much longer than Google's (5 %, at
 * least 250 ms): a slot is taken before the request leaves, and requests do not
 * arrive in the order their slots were taken, so an exact window could let
 * Google see one request too many at a window's edge.
 */
export function quotaMarginMs(windowMs: number): number {
  return Math.max(250, Math.round(windowMs * 0.05));
}

/**
 * The budget is paced: at most 1/SLICES of the quota in any 1/SLICES of the
 * window. Reads in sixths: a shift's start (every tab read at once) gets a
 * burst. Writes one at a time (a slice per request): only the flusher writes,
 * nobody waits on a burst of them, and evenly spaced flushes are what keeps
 * every spreadsheet's lag short when several share the budget.
 */
const SLICES: Record<QuotaKind, number> = { read: 6, write: Number.POSITIVE_INFINITY };

/**
 * The rule actually enforced for a quota of `limit` per `windowMs` in `slices`
 * (at most `limit` of them): `limit/slices` per `windowMs/slices`. Any window of
 * `windowMs` splits into `slices` pieces each inside one slice, so it never holds
 * more than `limit` either — but a burst can no longer spend the whole minute's
 * budget in its first seconds and starve the rest of the minute (sheets would
 * then lag by most of a minute).
 */
export function pacedRule(limit: number, windowMs: number, slices = 6): WindowRule {
  const n = Math.max(1, Math.min(slices, limit));
  return { limit: Math.floor(limit / n), windowMs: Math.ceil(windowMs / n) };
}

/**
 * The Google user's Sheets budget, shared by every node: Google's per-user
 * quotas (SHEETS_READ/WRITE_REQUESTS_PER_MINUTE, default 60 each) counted in
 * Redis over a sliding window a little longer than Google's (quotaMarginMs)
 * and paced in sixths (pacedRule): never more than the quota in any window, so
 * a burst cannot earn a 429 at the window's edge. Each HTTP attempt to Google
 * takes one slot first, waiting for it; a 429 from Google anyway (another
 * program on the same account, a quota lowered in the console) halves the
 * budget for one window. Redis unreachable: let the call through (Google
 * enforces its own quota, and a 429 is retried without losing a write).
 */
@Injectable()
export class SheetsQuota {
  private readonly logger = new Logger('SheetsQuota');
  readonly user: string;
  private readonly rules: Record<QuotaKind, WindowRule>;
  private slowUntil = 0;

  constructor(
    private readonly redis: RedisService,
    private readonly metrics: SheetsMetrics,
    config: AppConfig,
  ) {
    this.user = config.SHEETS_QUOTA_USER || serviceAccountEmail(config.GOOGLE_APPLICATION_CREDENTIALS) || 'default';
    const windowMs = config.SHEETS_QUOTA_WINDOW_MS + quotaMarginMs(config.SHEETS_QUOTA_WINDOW_MS);
    this.rules = {
      read: { limit: config.SHEETS_READ_REQUESTS_PER_MINUTE, windowMs },
      write: { limit: config.SHEETS_WRITE_REQUESTS_PER_MINUTE, windowMs },
    };
    for (const kind of ['read', 'write'] as const) this.metrics.quotaLimit.set({ kind }, this.rules[kind].limit);
  }

  /** The budget of one kind for this window (halved while Google is pushing back). */
  limit(kind: QuotaKind): number {
    const { limit } = this.rules[kind];
    return Date.now() < this.slowUntil ? Math.max(1, Math.floor(limit / 2)) : limit;
  }

  /** Waits for a slot of the user's budget, then takes it. */
  async take(kind: QuotaKind): Promise<void> {
    const started = Date.now();
    for (;;) {
      const rule = pacedRule(this.limit(kind), this.rules[kind].windowMs, SLICES[kind]);
      let decision;
      try {
        decision = await takeSlot(this.redis.client, this.redis.key(`sheets:quota:${kind}:{${this.user}}`), rule);
      } catch (err) {
        this.logger.warn(`quota budget unavailable, letting the ${kind} through: ${(err as Error).message}`);
        return;
      }
      if (decision.allowed) {
        this.metrics.quotaUsed.inc({ kind });
        this.metrics.quotaInWindow.set({ kind }, decision.count);
        const waited = Date.now() - started;
        if (waited > 0) this.metrics.quotaWait.observe({ kind }, waited / 1000);
        return;
      }
      this.metrics.quotaInWindow.set({ kind }, decision.count);
      await new Promise((r) => setTimeout(r, decision.retryAfterMs + Math.floor(Math.random() * 20)));
    }
  }

  /** Google answered 429 (RESOURCE_EXHAUSTED) all the same: half the budget for a window. */
  pushedBack(kind: QuotaKind): void {
    this.slowUntil = Date.now() + SLOW_FOR_WINDOWS * this.rules[kind].windowMs;
    this.metrics.quotaPushback.inc({ kind });
    this.logger.warn(`Google Sheets refused a ${kind} for quota: budget halved for ${this.rules[kind].windowMs} ms`);
  }
}

/** The `client_email` of a service-account key file, if it names one. */
function serviceAccountEmail(keyFile: string | undefined): string | null {
  if (!keyFile) return null;
  try {
    const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { client_email?: unknown };
    return typeof key.client_email === 'string' ? key.client_email : null;
  } catch {
    return null; // authFor reports an unreadable key file
  }
}
