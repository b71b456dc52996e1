import { Injectable, Logger } from '@nestjs/common';
import type { AppId } from '../../common/app-id.js';
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitBreakerPolicy,
  ConsecutiveBreaker,
  DelegateBackoff,
  handleWhen,
  IRetryBackoffContext,
  isTaskCancelledError,
  retry,
  timeout,
  TimeoutStrategy,
} from 'cockatiel';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../../infra/config/app-config.js';
import { DialpadError, DialpadRateLimitedError, DialpadRequestError, DialpadUnavailableError } from './dialpad-errors.js';
import { DialpadHttpFailure, DialpadRequest, sendDialpadRequest } from './dialpad-http.js';
import { DialpadMetrics, DialpadOutcome } from './dialpad-metrics.js';
import { DialpadRateLimiter } from './dialpad-rate-limiter.js';
import { nextRetryDelayMs } from './retry-timing.js';

/**
 * Every HTTP exchange with Dialpad goes through here: a timeout per attempt,
 * the company rate limiter, the app's circuit breaker, and retries with
 * exponential backoff and jitter (Retry-After honoured) on 429, 5xx and
 * network errors only. Failures come out as the typed errors of
 * dialpad-errors.ts; a 4xx other than 429 is a DialpadRequestError (401
 * included: the caller decides whether to refresh a token).
 */
@Injectable()
export class DialpadTransport {
  private readonly logger = new Logger(DialpadTransport.name);
  private readonly breakers = new LRUCache<string, CircuitBreakerPolicy>({ max: 10_000 });

  constructor(
    private readonly config: AppConfig,
    private readonly limiter: DialpadRateLimiter,
    private readonly metrics: DialpadMetrics,
  ) {}

  get baseUrl(): string {
    return this.config.DIALPAD_BASE_URL;
  }

  /** Sends `req` on behalf of `appId` and returns the parsed JSON body (null when empty). */
  async send(appId: AppId, req: DialpadRequest): Promise<unknown> {
    const breaker = this.breakerFor(appId);
    const attemptTimeout = timeout(this.config.DIALPAD_HTTP_TIMEOUT_MS, TimeoutStrategy.Aggressive);
    const retries = retry(
      handleWhen((err) => this.shouldRetry(err, req)),
      {
        maxAttempts: this.config.DIALPAD_RETRY_MAX_ATTEMPTS - 1,
        backoff: new DelegateBackoff((ctx: IRetryBackoffContext<unknown>) =>
          nextRetryDelayMs(ctx.attempt, retryAfterOf(ctx), this.config.DIALPAD_RETRY_BASE_DELAY_MS, this.config.DIALPAD_RETRY_MAX_DELAY_MS),
        ),
      },
    );
    retries.onRetry((e) => this.logger.debug(`dialpad ${req.operation}: attempt ${e.attempt} failed, retrying in ${e.delay} ms`));
    let attempts = 0;
    try {
      const body = await retries.execute(async () => {
        await this.limiter.takeCompanyRequest(appId);
        attempts++;
        return breaker.execute(() => this.attempt(req, attemptTimeout));
      });
      this.metrics.requests.inc({ operation: req.operation, outcome: 'ok' });
      return body;
    } catch (err) {
      const error = this.classify(err, req, attempts);
      this.metrics.requests.inc({ operation: req.operation, outcome: outcomeOf(error) });
      throw error;
    }
  }

  private async attempt(req: DialpadRequest, attemptTimeout: ReturnType<typeof timeout>): Promise<unknown> {
    const timer = this.metrics.attemptDuration.startTimer({ operation: req.operation });
    const record = (result: string) => {
      this.metrics.attempts.inc({ operation: req.operation, result });
      timer({ result });
    };
    try {
      const body = await attemptTimeout.execute(({ signal }) => sendDialpadRequest(this.baseUrl, req, signal));
      record('ok');
      return body;
    } catch (err) {
      if (isTaskCancelledError(err)) {
        record('timeout');
        throw new DialpadHttpFailure('timeout', `Dialpad did not answer within ${this.config.DIALPAD_HTTP_TIMEOUT_MS} ms`);
      }
      if (err instanceof DialpadHttpFailure) record(err.status === null ? err.kind : String(err.status));
      throw err;
    }
  }

  private shouldRetry(err: unknown, req: DialpadRequest): boolean {
    if (!(err instanceof DialpadHttpFailure) || !err.transient) return false;
    if (!req.idempotent && !err.surelyNotProcessed) return false;
    // a Retry-After longer than we are willing to wait goes back to the caller as a 429
    return err.retryAfterMs === null || err.retryAfterMs <= this.config.DIALPAD_RETRY_MAX_DELAY_MS;
  }

  private breakerFor(appId: AppId): CircuitBreakerPolicy {
    let breaker = this.breakers.get(appId);
    if (!breaker) {
      breaker = circuitBreaker(
        handleWhen((err) => err instanceof DialpadHttpFailure && err.upstreamFault),
        { halfOpenAfter: this.config.DIALPAD_BREAKER_HALF_OPEN_MS, breaker: new ConsecutiveBreaker(this.config.DIALPAD_BREAKER_THRESHOLD) },
      );
      breaker.onBreak(() => this.logger.warn(`Dialpad circuit opened for app ${appId}: requests fail fast for ${this.config.DIALPAD_BREAKER_HALF_OPEN_MS} ms`));
      breaker.onReset(() => this.logger.log(`Dialpad circuit closed again for app ${appId}`));
      this.breakers.set(appId, breaker);
    }
    return breaker;
  }

  private classify(err: unknown, req: DialpadRequest, attempts: number): unknown {
    if (err instanceof DialpadError) return err;
    if (err instanceof BrokenCircuitError) {
      const seconds = Math.ceil(this.config.DIALPAD_BREAKER_HALF_OPEN_MS / 1000);
      return new DialpadUnavailableError(
        `Dialpad kept failing for this app, so calls to it are paused (circuit open): retry in up to ${seconds} s`,
        this.config.DIALPAD_BREAKER_HALF_OPEN_MS,
      );
    }
    if (!(err instanceof DialpadHttpFailure)) return err;
    const tries = attempts === 1 ? '' : ` (after ${attempts} attempts)`;
    if (err.status === 429) return new DialpadRateLimitedError(err.retryAfterMs ?? 1000, 'dialpad');
    if (err.status !== null && err.status >= 500) {
      return new DialpadUnavailableError(`Dialpad answered ${err.status} to ${req.operation}${tries}: ${err.message}`);
    }
    if (err.status !== null) return new DialpadRequestError(err.status, err.message, err.oauthError ?? undefined);
    return new DialpadUnavailableError(`${err.message} (${req.operation}${tries})`);
  }
}

function retryAfterOf(ctx: IRetryBackoffContext<unknown>): number | null {
  const error = 'error' in ctx.result ? ctx.result.error : null;
  return error instanceof DialpadHttpFailure ? error.retryAfterMs : null;
}

function outcomeOf(error: unknown): DialpadOutcome {
  if (error instanceof DialpadRateLimitedError) return 'rate_limited';
  if (error instanceof DialpadRequestError) return 'refused';
  if (error instanceof DialpadUnavailableError) return error.retryAfterMs !== undefined ? 'circuit_open' : 'unavailable';
  return 'unavailable';
}
