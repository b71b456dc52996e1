import { createHash } from 'node:crypto';
import { CallHandler, ExecutionContext, HttpException, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable, of } from 'rxjs';
import { DomainError, DomainErrorCode, httpStatusOf } from '../../common/errors/domain-error.js';
import { RedisService } from '../redis/redis.service.js';

/** Where @HttpCode() keeps its value (Nest's HTTP_CODE_METADATA). */
const HTTP_CODE_METADATA = '__httpCode__';

const WINDOW_MS = 60_000;
const KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

interface Stored {
  state: 'running' | 'done';
  fingerprint: string;
  status?: number;
  body?: unknown;
}

/**
 * `Idempotency-Key` on state-changing routes (docs/wire-protocol.md, "Idempotency-Key"): the same key within 60 s
 * replays the stored answer (same status and body, header `idempotent-replayed`);
 * the same key with another body → 422; while the first is still running → 409.
 * No key: the request runs normally. Keys are scoped to the caller (the agent).
 * Answers that say "not now" are not stored, so a retry with the key runs again:
 * ≥ 500, 409 (e.g. the session was busy with another dial) and 429 (rate limited,
 * retry after Retry-After).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(private readonly redis: RedisService) {}

  async intercept(context: ExecutionContext, next: CallHandler<unknown>): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const header = req.headers['idempotency-key'];
    const idemKey = Array.isArray(header) ? header[0] : header;
    if (idemKey === undefined) return next.handle();
    if (!KEY_PATTERN.test(idemKey)) throw new DomainError('INVALID_INPUT', 'Idempotency-Key must be 1–128 characters of [A-Za-z0-9._:-]');

    const scope = req.agent ? `${req.agent.appId}:${req.agent.email}` : (req.tenant?.id ?? 'anonymous');
    const key = this.redis.key(`dialer:idem:${createHash('sha256').update(`${scope}\u0000${idemKey}`).digest('hex')}`);
    const fingerprint = createHash('sha256')
      .update(`${req.method} ${req.routeOptions.url ?? req.url}\u0000${JSON.stringify(req.params ?? {})}\u0000${JSON.stringify(req.body ?? null)}`)
      .digest('hex');

    const claimed = await this.redis.client.set(key, JSON.stringify({ state: 'running', fingerprint } satisfies Stored), 'PX', WINDOW_MS, 'NX');
    if (claimed !== 'OK') {
      const raw = await this.redis.client.get(key);
      const stored = raw ? (JSON.parse(raw) as Stored) : null;
      if (!stored) return next.handle(); // expired in between: run normally
      if (stored.fingerprint !== fingerprint) {
        throw new HttpException({ message: 'Idempotency-Key was already used with a different request', error: 'Unprocessable Entity' }, 422);
      }
      if (stored.state === 'running') throw new DomainError('CONFLICT', 'A request with this Idempotency-Key is still in progress');
      reply.header('idempotent-replayed', 'true');
      const body = stored.body as { __error?: true; body?: unknown } | undefined;
      if (body?.__error) throw replayedError(stored.status ?? 400, body.body);
      reply.status(stored.status ?? 200);
      return of(stored.body);
    }

    const save = async (status: number, body: unknown) => {
      if (!isFinal(status)) await this.redis.client.del(key);
      else await this.redis.client.set(key, JSON.stringify({ state: 'done', fingerprint, status, body } satisfies Stored), 'PX', WINDOW_MS);
    };
    return from(
      (async () => {
        try {
          const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
          await save(successStatus(context, req.method), body);
          return body;
        } catch (err) {
          const status = err instanceof DomainError ? httpStatusOf(err.code) : err instanceof HttpException ? err.getStatus() : 500;
          const body = err instanceof HttpException ? err.getResponse() : err instanceof DomainError ? { code: err.code, message: err.message } : null;
          // client errors are replayed as errors too: the same request gets the same answer
          // the handler's error is the answer; a key left "running" only answers 409 until it expires
          await save(status, { __error: true, status, body }).catch((saveErr: unknown) =>
            this.logger.warn(`could not store the outcome of an idempotent request (retries get 409 for up to ${WINDOW_MS / 1000} s): ${(saveErr as Error).message}`),
          );
          throw err;
        }
      })(),
    );
  }
}

/** Whether an answer is the request's outcome (replayed for the key), not a transient refusal. */
function isFinal(status: number): boolean {
  return status < 500 && status !== 409 && status !== 429;
}

/** The status Nest will answer with: @HttpCode, else 201 for POST and 200 otherwise. */
function successStatus(context: ExecutionContext, method: string): number {
  const code = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined;
  return code ?? (method === 'POST' ? 201 : 200);
}

function replayedError(status: number, body: unknown): Error {
  const domain = body as { code?: DomainErrorCode; message?: string } | null;
  if (domain?.code) return new DomainError(domain.code, domain.message ?? 'replayed');
  return new HttpException(body ?? 'replayed', status);
}
