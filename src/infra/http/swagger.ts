import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '../config/app-config.js';
import { ErrorDto } from './api-errors.js';

export const API_DESCRIPTION = `Turbo CTI: Dialpad call events to real-time screen pops, REST for CRM frontends, and a preview dialer.

**Auth schemes**
- \`admin\`: \`Authorization: Bearer <JWT>\` (HS256, INTERNAL_JWT_SECRET, claim \`role: "admin"\`) on every \`/internal/*\` route. \`npm run admin -- mint-admin-token\` prints one.
- \`api-key\`: \`x-app-api-key: ctk_…\` on every \`/api/*\` route (and \`/ws\`). Unknown or revoked key → 401; inactive app → 403.

**WebSocket \`/ws\`** (same port; the \`ws\` protocol, no socket.io)
- Connect with \`x-app-api-key: ctk_…\` (header) or \`?api_key=ctk_…\`, or an agent token \`?token=<agent JWT>\`. Authentication happens in the upgrade: a bad or revoked key gets **HTTP 401** and no socket; an inactive app **HTTP 403**; a malformed query **HTTP 400**.
- Optional filters: \`?dialpad_user_id=<id>\` or \`?crm_user_id=<id>\` (agents always receive only their own).
- First message: \`{"type":"welcome","app_id","filter","heartbeat_ms"}\`.
- One message per processed event. A call event: \`{"seq","event_id","event","call_id","direction","from_number","to_number","status","user_id","timestamp","contact","target_crm_user"?}\` (\`contact\`: who is calling or called, \`{id,name,email,phone,type}\` or null); \`sms.received\` / \`sms.sent\`, \`agent.status\` and \`contact.*\` messages carry their own fields and the same \`seq\`, \`event_id\`, \`event\`, \`user_id\`, \`timestamp\`, \`target_crm_user\`? (docs/wire-protocol.md, "Event messages") — \`seq\` is the event's position in the app's stream (1, 2, 3 … per app, in commit order; every socket receives its app's events in that order), \`event_id\` its id in the event log (the webhook answer's \`event_id\`); \`call_id\` and \`user_id\` are strings (Dialpad ids exceed 2^53); \`target_crm_user\` when the Dialpad user is mapped.
- Resume: reconnect with \`?since=<last seq>\`: the events after it (last 15 min, at most 1000) come first, in order, then \`{"type":"resumed","since","replayed"}\`, then the live stream — no gap, no duplicate.
- Client messages: \`{"type":"ping"}\` → \`{"type":"pong","ts"}\`; anything else gets \`{"type":"error","error","message"}\` (bad_json, bad_message, unknown_type, binary_not_supported). Frames over 64 KiB close the socket (1009).
- Heartbeat: a ping every 30 s; a client that missed the previous pong is terminated.
- Close codes: **4401** key revoked or rotated, **4403** app deactivated, **1001** server shutting down (reconnect, with \`since\`), **1008** not authenticated.

**Errors** are JSON \`{statusCode, error, message, request_id}\`; \`request_id\` echoes \`x-request-id\` (or the id generated for the request).`;

/**
 * The OpenAPI document of the app's routes. One builder for both uses: /docs-json
 * (setupSwagger) and dist/openapi.json, written by scripts/openapi.mjs from the built
 * app created in preview mode (no PostgreSQL or Redis needed) and linted by
 * `npm run lint:api` (redocly.yaml).
 */
export function buildOpenApiDocument(app: INestApplication, config: Pick<AppConfig, 'PUBLIC_BASE_URL'>): OpenAPIObject {
  const base = new DocumentBuilder()
    .setTitle('Turbo CTI')
    .setDescription(API_DESCRIPTION)
    .setVersion('0.1.0')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer(config.PUBLIC_BASE_URL ? config.PUBLIC_BASE_URL.replace(/\/+$/, '') : '/', config.PUBLIC_BASE_URL ? 'PUBLIC_BASE_URL' : 'This server')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Admin JWT (role: admin)' }, 'admin')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-app-api-key', description: 'App API key (ctk_…)' }, 'api-key')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Agent token (POST /api/agents/token)' }, 'agent')
    .build();
  const document = SwaggerModule.createDocument(app, base, { operationIdFactory: operationId, extraModels: [ErrorDto] });
  describeErrorAnswers(document);
  return document;
}

export function setupSwagger(app: INestApplication, config: Pick<AppConfig, 'PUBLIC_BASE_URL' | 'SWAGGER_UI'>): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
    swaggerUiEnabled: config.SWAGGER_UI,
    swaggerOptions: { persistAuthorization: true },
  });
}

/**
 * `apps_create`, `dialpadAdmin_syncUsers`: the controller without "Controller", then the
 * handler. A handler declared on several paths (`@Post(['webhooks/dialpad', 'events/dialpad'])`)
 * gets `_alias1`, `_alias2` … on its second, third … path (the library's default is `receive[1]`).
 */
export function operationId(controllerKey: string, methodKey: string, version?: string): string {
  const controller = controllerKey.replace(/Controller$/, '');
  const [, method, alias] = /^(.*?)(?:\[(\d+)\])?$/.exec(methodKey) ?? [methodKey, methodKey];
  return [
    controller.charAt(0).toLowerCase() + controller.slice(1),
    method,
    alias && alias !== '0' ? `alias${alias}` : '',
    version ? `v${version}` : '',
  ]
    .filter(Boolean)
    .join('_');
}

/**
 * Every error answer has one shape (ErrorDto, see all-exceptions.filter.ts), whatever the
 * route declares as its success type: attached here to each 4xx/5xx response the routes
 * document (@ApiErrors, @ApiResponse), plus the 500 any route can give.
 */
function describeErrorAnswers(document: OpenAPIObject): void {
  const content = { 'application/json': { schema: { $ref: getSchemaPath(ErrorDto) } } };
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const) {
      const operation = item[method];
      if (!operation) continue;
      operation.responses['500'] ??= { description: 'Unexpected error (logged with the request id)' };
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400 && response && !('$ref' in response) && !response.content) response.content = content;
      }
    }
  }
}
