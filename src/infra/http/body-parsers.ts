import { MAX_JSON_DEPTH, nestingExceeds } from '../../common/json-depth.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Routes that must see the exact bytes (signature checks over the raw body, JWT bodies). */
const RAW_BODY_ROUTES = /^\/(webhooks\/|events\/dialpad)/;

function wantsRawBody(req: FastifyRequest): boolean {
  return RAW_BODY_ROUTES.test(req.routeOptions.url ?? req.url);
}


/**
 * Whether every string (and key) is well-formed UTF-16. A lone surrogate such as
 * "\\ud800" is valid JSON but makes validators throw (validator's isEmail → URIError).
 */
export function wellFormed(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.isWellFormed();
  if (value === null || typeof value !== 'object' || depth > MAX_JSON_DEPTH) return true;
  if (Array.isArray(value)) return value.every((v) => wellFormed(v, depth + 1));
  return Object.entries(value).every(([k, v]) => k.isWellFormed() && wellFormed(v, depth + 1));
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
    const text = (body as Buffer).toString('utf8');
    if (nestingExceeds(text, MAX_JSON_DEPTH)) {
      return done(Object.assign(new Error(`JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`), { statusCode: 400 }), undefined);
    }
    // fastify's default JSON parser is the callback kind and returns undefined; its type also
    // allows the promise-returning kind of parser, which this one is not: nothing to await
    void parseJson(req, text, (err, parsed) => {
      if (!err && !wellFormed(parsed)) {
        return done(Object.assign(new Error('JSON body holds an invalid Unicode escape (a lone surrogate)'), { statusCode: 400 }), undefined);
      }
      done(err, parsed);
    });
  });
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // fastify refuses a malformed Content-Type (415) before any parser runs; a raw-body route reads
  // the bytes whatever the header says, so a signed event is never lost to its Content-Type
  fastify.addHook('onRequest', (req, _reply, done) => {
    if (req.headers['content-type'] !== undefined && wantsRawBody(req)) req.headers['content-type'] = 'application/octet-stream';
    done();
  });
}
