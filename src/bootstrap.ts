import { Logger as NestLogger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import helmet from 'helmet';
import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { AppConfig } from './infra/config/app-config.js';
import { AllExceptionsFilter, toErrorBody } from './infra/http/all-exceptions.filter.js';
import { registerBodyParsers } from './infra/http/body-parsers.js';
import { consoleDir, registerConsole } from './infra/http/console-static.js';
import { answerClientError } from './infra/http/client-error.js';
import { registerHttpHooks } from './infra/http/http-hooks.js';
import { setupSwagger } from './infra/http/swagger.js';
import { requestIdFor } from './infra/logging/logger.options.js';
import { MetricsService } from './infra/metrics/metrics.service.js';
import { CtiWsAdapter } from './realtime/cti-ws.adapter.js';
import { WsAuthService } from './realtime/ws-auth.service.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Builds the whole application (initialised, not listening): shared by main.ts and the e2e tests. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    // a long path parameter must reach our 404/400 handling, not fastify's bare 414
    maxParamLength: 1000,
    genReqId: (req: IncomingMessage) => {
      const id = requestIdFor(req);
      (req as IncomingMessage & { id?: string }).id = id; // pino-http reads it from the raw request
      return id;
    },
    // a request Node's HTTP parser refuses never reaches fastify: answered by client-error.ts
    clientErrorHandler: answerClientError,
    // the router refuses a malformed URL (400) or an over-long parameter (414) before any hook or
    // filter runs: answer those in the documented error shape too, with the request id
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const body = toErrorBody(error, String(request.id));
      reply.status(body.statusCode).header('x-request-id', String(request.id)).header('content-type', 'application/json; charset=utf-8').send(body);
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    bodyParser: false, // ours: see registerBodyParsers
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();

  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(MetricsService);
  registerHttpHooks(fastify, metrics, PinoLogger.root);
  registerBodyParsers(fastify);

  // Swagger UI (/docs) and the agent console (/console) load their scripts and styles from 'self'.
  // Built once: @fastify/helmet rebuilt helmet (and re-parsed the CSP) on every request, 6 % of a webhook's CPU.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: [`'self'`],
        styleSrc: [`'self'`, `'unsafe-inline'`],
        imgSrc: [`'self'`, 'data:', 'validator.swagger.io'],
        scriptSrc: [`'self'`, `https: 'unsafe-inline'`],
        // the console's REST calls and its WebSocket (/ws): CSP 3 'self' matches ws:/wss: of the same host
        connectSrc: [`'self'`],
        // helmet's default: on plain HTTP opened by any address but localhost, the browser would fetch
        // every script and style over https and fail (a blank Swagger UI). TLS is the proxy's job.
        upgradeInsecureRequests: null,
      },
    },
  });
  fastify.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (err) => done(err as Error | undefined)));
  await registerConsole(fastify, consoleDir());
  app.useWebSocketAdapter(new CtiWsAdapter(app, app.get(WsAuthService)));
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new BadRequestException(flattenValidationErrors(errors)),
    }),
  );
  setupSwagger(app, config);
  await app.init();
  await fastify.ready();
  return app;
}

function flattenValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.startsWith(e.property) ? `${parent ? parent + '.' : ''}${m}` : `${path}: ${m}`));
    return [...own, ...flattenValidationErrors(e.children ?? [], path)];
  });
}

/**
 * Closes the application: the providers' shutdown hooks, then the HTTP server.
 * The server waits for requests in flight; a connection still busy after
 * `graceMs` (a client that never finishes its request) is cut, so a node
 * always finishes stopping.
 */
export async function closeApp(app: NestFastifyApplication, graceMs: number): Promise<void> {
  const server = app.getHttpServer();
  const cut = setTimeout(() => {
    new NestLogger('Bootstrap').warn(`connections still open ${graceMs} ms into the shutdown: closing them`);
    server.closeAllConnections();
  }, graceMs);
  cut.unref();
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}
