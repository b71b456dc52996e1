import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The console's single-page routes: each answers index.html, the page picks its view from the path. */
const PAGES = ['/console', '/console/', '/console/calls', '/console/calls/'];

/**
 * Where the built console is: `dist/web`, next to the compiled service (dist/src/infra/http → dist/web).
 * Null when it is not built — and under Jest, which runs the sources (src/… → ./web, the console's
 * sources, not a build): the console is tested in a browser against the built service.
 */
export function consoleDir(): string | null {
  const dir = fileURLToPath(new URL('../../../web', import.meta.url));
  return existsSync(resolve(dir, 'index.html')) && existsSync(resolve(dir, 'assets')) ? dir : null;
}

/**
 * The agent console at /console (and the calls board at /console/calls): hashed
 * assets are cached for a year (their names change with their content), the page
 * itself is revalidated on every load so a deploy reaches agents at their next reload.
 */
export async function registerConsole(fastify: FastifyInstance, dir: string | null): Promise<void> {
  if (!dir) {
    const notBuilt = (reply: FastifyReply) =>
      reply
        .status(404)
        .header('content-type', 'application/json; charset=utf-8')
        .send({ statusCode: 404, error: 'Not Found', message: 'The agent console is not built: run `npm run build`' });
    for (const url of PAGES) fastify.get(url, (_req, reply) => notBuilt(reply));
    return;
  }
  // loaded only when there is a console to serve: @fastify/static requires an ESM-only module, which Jest's runtime cannot load
  const { default: fastifyStatic } = await import('@fastify/static');
  await fastify.register(fastifyStatic, {
    root: dir,
    prefix: '/console/',
    wildcard: false,
    index: false,
    decorateReply: !fastify.hasReplyDecorator('sendFile'),
    setHeaders: (reply, path) => {
      reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  for (const url of PAGES) {
    fastify.get(url, (_req, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html', dir, { maxAge: 0, immutable: false }));
  }
}
