import type { FastifyInstance } from 'fastify';
import type { Logger as PinoInstance } from 'pino';
import { maskPhoneNumbers } from '../logging/mask.js';
import type { MetricsService } from '../metrics/metrics.service.js';

const QUIET_ROUTES = new Set(['/', '/metrics']);

/**
 * Per-request plumbing at the fastify level, where every request passes:
 * the correlation id echoed as `x-request-id`, the HTTP duration histogram,
 * and one access-log line (phone numbers in the URL masked).
 */
export function registerHttpHooks(fastify: FastifyInstance, metrics: MetricsService, log: PinoInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    metrics.httpDuration.observe({ method: request.method, route, status_code: String(status) }, reply.elapsedTime / 1000);
    if (!QUIET_ROUTES.has(route)) {
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      log[level](
        {
          // flat fields: `req`/`res` keys would go through pino-http's serializers
          request_id: request.id,
          method: request.method,
          url: maskPhoneNumbers(request.url),
          route,
          status,
          duration_ms: Math.round(reply.elapsedTime * 10) / 10,
          ip: request.ip,
        },
        'request completed',
      );
    }
    done();
  });
}
