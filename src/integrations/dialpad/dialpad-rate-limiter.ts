import { Injectable, Logger } from '@nestjs/common';
import type { AppId } from '../../common/app-id.js';
import { AppConfig } from '../../infra/config/app-config.js';
import { RedisService } from '../../infra/redis/redis.service.js';
import { DialpadRateLimitedError } from './dialpad-errors.js';
import { takeSlot, WindowDecision, WindowRule } from '../../infra/redis/sliding-window.js';

/** A request waits at most this long for a per-company slot before the caller is told to retry later. */
export const COMPANY_QUEUE_MAX_WAIT_MS = 2_000;

/**
 * Dialpad's published limits, enforced before we send (state in Redis, shared
 * by every node): call initiations per user per minute, and requests per
 * second per company (one connected company per app, so keyed by app).
 * Initiations are refused at once with the wait; company requests queue
 * briefly, then are refused the same way.
 */
@Injectable()
export class DialpadRateLimiter {
  private readonly logger = new Logger(DialpadRateLimiter.name);
  readonly callRule: WindowRule;
  readonly companyRule: WindowRule;

  constructor(
    private readonly redis: RedisService,
    config: AppConfig,
  ) {
    this.callRule = { limit: config.DIALPAD_CALLS_PER_USER_PER_MINUTE, windowMs: config.DIALPAD_CALLS_WINDOW_MS };
    this.companyRule = { limit: config.DIALPAD_REQUESTS_PER_SECOND, windowMs: 1_000 };
  }

  /** Takes one of the user's call initiations, or throws DialpadRateLimitedError with the wait. */
  async takeCallInitiation(appId: AppId, dialpadUserId: string): Promise<void> {
    const decision = await this.take(`dialpad:rl:calls:${appId}:${dialpadUserId}`, this.callRule);
    if (!decision.allowed) {
      const { limit } = this.callRule;
      throw new DialpadRateLimitedError(
        decision.retryAfterMs,
        'user_call_initiations',
        `Dialpad user ${dialpadUserId} already placed ${limit} calls in the last ${this.callRule.windowMs === 60_000 ? 'minute' : `${this.callRule.windowMs} ms`} (Dialpad's limit): retry in ${Math.ceil(decision.retryAfterMs / 1000)} s`,
      );
    }
  }

  /** Waits for a per-company request slot (up to COMPANY_QUEUE_MAX_WAIT_MS), or throws DialpadRateLimitedError. */
  async takeCompanyRequest(appId: AppId, maxWaitMs = COMPANY_QUEUE_MAX_WAIT_MS): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const decision = await this.take(`dialpad:rl:company:${appId}`, this.companyRule);
      if (decision.allowed) return;
      const wait = decision.retryAfterMs + Math.floor(Math.random() * 10);
      if (Date.now() + wait > deadline) {
        throw new DialpadRateLimitedError(decision.retryAfterMs, 'company_requests',
          `More than ${this.companyRule.limit} Dialpad requests per second for this company: retry in ${Math.ceil(decision.retryAfterMs / 1000)} s`);
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  private async take(name: string, rule: WindowRule): Promise<WindowDecision> {
    try {
      return await takeSlot(this.redis.client, this.redis.key(name), rule);
    } catch (err) {
      // Fail open: Dialpad enforces its limits itself (429, retried); Redis trouble must not stop every call.
      this.logger.warn(`rate limiter unavailable, letting the request through: ${(err as Error).message}`);
      return { allowed: true, count: 0 };
    }
  }
}
