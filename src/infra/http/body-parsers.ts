import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Routes that must see the exact bytes (signature checks over the raw body, JWT bodies). */
const RAW_BODY_ROUTES = /^\/(webhooks\/|events\/dialpad)/;

function wantsRawBody(req: FastifyRequest): boolean {
  return RAW_BODY_ROUTES.test(req.routeOptions.url ?? req.url);
}

/**
 * Body parsing: JSON as usual (fastify's own parser, prototype-poisoning safe)
 * except on raw-body routes, which get a Buffer whatever the Content-Type —
 * Dialpad's Content-Type is undocumented and its JWT bodies are not JSON.
 * Any other type arrives as a Buffer too (DTO validation then refuses it).
 */
export function registerBodyParsers(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    if (wantsRawBody(req)) return done(null, body);
    parseJson(req, (body as Buffer).toString('utf8'), done);
  });
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
}
