#!/usr/bin/env node
// Writes the service's OpenAPI document to dist/openapi.json (or the path given as the
// first argument) without PostgreSQL or Redis: `npm run build && node scripts/openapi.mjs`.
//
// It loads the BUILT app (dist/: the @nestjs/swagger CLI plugin, which adds the DTO
// schemas and the summaries from JSDoc, runs only in `nest build`) and creates it in
// Nest's preview mode: the module graph and the controllers' metadata are read, no
// provider is instantiated, so nothing connects anywhere. The document is then built by
// the same function that serves /docs-json (buildOpenApiDocument in
// src/infra/http/swagger.ts). The configuration is read from the environment like the
// service's (PUBLIC_BASE_URL becomes `servers`); the secrets, which the document does not
// depend on, get placeholders when unset.
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? resolve(root, 'dist/openapi.json'));
const built = (file) => pathToFileURL(resolve(root, 'dist/src', file)).href;

if (!existsSync(fileURLToPath(built('app.module.js')))) {
  // not built yet (a fresh clone linted before it is built): build the service (not the console) first
  process.stderr.write('openapi: dist/src is missing: running `nest build`\n');
  execFileSync(resolve(root, 'node_modules/.bin/nest'), ['build'], { cwd: root, stdio: 'inherit' });
}

const { NestFactory } = await import('@nestjs/core');
const { FastifyAdapter } = await import('@nestjs/platform-fastify');
const { AppModule } = await import(built('app.module.js'));
const { parseConfig } = await import(built('infra/config/app-config.js'));
const { buildOpenApiDocument } = await import(built('infra/http/swagger.js'));

const config = parseConfig({
  ...process.env,
  INTERNAL_JWT_SECRET: process.env.INTERNAL_JWT_SECRET || 'placeholder-secret-not-used-by-the-openapi-document',
  ENCRYPTION_KEY: process.env.ENCRYPTION_KEY || '0'.repeat(64),
});

const app = await NestFactory.create(AppModule.forRoot(config), new FastifyAdapter(), {
  preview: true, // no provider instantiated: no database, no Redis, no timers
  abortOnError: false, // a bad module graph throws here instead of exiting silently
  logger: ['error', 'fatal'], // not the "PREVIEW mode" banner
});
try {
  const document = buildOpenApiDocument(app, config);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(document, null, 2) + '\n');
  const operations = Object.values(document.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  process.stdout.write(`openapi: ${operations} operations written to ${out}\n`);
} finally {
  await app.close();
}
