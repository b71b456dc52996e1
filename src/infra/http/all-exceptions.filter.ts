import { STATUS_CODES } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, httpStatusOf } from '../../common/errors/domain-error.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  request_id: string;
  code?: string;
}

interface StatusError {
  statusCode?: number;
  status?: number;
  code?: string;
  message?: string;
}

/**
 * The one place errors become HTTP answers: `{statusCode, error, message, request_id}`.
 * Client errors keep their message; anything unexpected is a 500 with a generic
 * message (the stack is logged with the request id, never sent).
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const body = toErrorBody(exception, String(request.id));
    const upstream = body.statusCode === 503 || (body.statusCode === 502 && exception instanceof DomainError);
    if (body.statusCode >= 500 && !upstream) {
      this.logger.error({ err: exception, request_id: body.request_id }, 'unhandled error');
    } else if (body.statusCode >= 500) {
      this.logger.warn({ request_id: body.request_id, message: body.message }, 'service unavailable');
    }
    const retryAfterMs = exception instanceof DomainError ? exception.details?.retry_after_ms : undefined;
    if (typeof retryAfterMs === 'number' && retryAfterMs >= 0) reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
    reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

export function toErrorBody(exception: unknown, requestId: string): ErrorBody {
  if (exception instanceof DomainError) {
    const statusCode = httpStatusOf(exception.code);
    return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message: exception.message, code: exception.code, request_id: requestId };
  }
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    // Nest maps fastify's own client errors (body too large, bad JSON, …) to an HttpException with the cause
    const cause = exception.cause as StatusError | undefined;
    if (statusCode < 500 && typeof cause?.code === 'string' && cause.code.startsWith('FST_')) {
      return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message: clientMessage(cause), request_id: requestId };
    }
    const response = exception.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : ((response as { message?: string | string[] }).message ?? exception.message);
    return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, request_id: requestId };
  }
  // fastify's own client errors (body too large, bad JSON, unsupported media type, …)
  const e = exception as StatusError | null;
  const status = e?.statusCode ?? e?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      statusCode: status,
      error: STATUS_CODES[status] ?? 'Error',
      message: clientMessage(e),
      request_id: requestId,
    };
  }
  const down = unavailableDependency(exception);
  if (down) return { statusCode: 503, error: 'Service Unavailable', message: `${down} is unavailable: retry shortly`, code: 'UNAVAILABLE', request_id: requestId };
  return { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error', request_id: requestId };
}

function clientMessage(e: StatusError | null): string {
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Request body is larger than 1 MiB';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported Content-Type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'Body must not be empty when Content-Type is application/json';
    case undefined:
    default:
      return e?.message?.replace(/^FST_\w+: /, '') || 'Bad request';
  }
}

/**
 * PostgreSQL or Redis out of reach (connection refused or dropped, server shutting
 * down): a 503 the client can retry, not a 500. Returns the dependency's name.
 */
export function unavailableDependency(exception: unknown): 'PostgreSQL' | 'Redis' | null {
  const e = exception as { name?: unknown; code?: unknown; message?: unknown; driverError?: { code?: unknown } } | null;
  if (!e || typeof e !== 'object') return null;
  const name = typeof e.name === 'string' ? e.name : '';
  const rawCode = e.driverError?.code ?? e.code;
  const code = typeof rawCode === 'string' || typeof rawCode === 'number' ? String(rawCode) : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (name === 'MaxRetriesPerRequestError' || /^Connection is closed|Stream isn't writeable|enableOfflineQueue/.test(message)) return 'Redis';
  // SQLSTATE 08 (connection exception), 57P01-57P03 (shutdown / cannot connect now), or the socket itself
  if (/^08|^57P0[123]$/.test(code) || /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT)$/.test(code) || /Connection terminated|timeout exceeded when trying to connect/.test(message)) {
    return 'PostgreSQL';
  }
  return null;
}
