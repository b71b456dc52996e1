import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const API_DESCRIPTION = `Turbo CTI: Dialpad call events to real-time screen pops, REST for CRM frontends, and a preview dialer.

**Auth schemes**
- \`admin\`: \`Authorization: Bearer <JWT>\` (HS256, INTERNAL_JWT_SECRET, claim \`role: "admin"\`) on every \`/internal/*\` route. \`npm run admin -- mint-admin-token\` prints one.
- \`api-key\`: \`x-app-api-key: ctk_…\` on every \`/api/*\` route (and \`/ws\`). Unknown or revoked key → 401; inactive app → 403.

**WebSocket \`/ws\`** (same port; the \`ws\` protocol, no socket.io)
- Connect with \`x-app-api-key: ctk_…\` (header) or \`?api_key=ctk_…\`, or an agent token \`?token=<agent JWT>\`. Authentication happens in the upgrade: a bad or revoked key gets **HTTP 401** and no socket; an inactive app **HTTP 403**; a malformed query **HTTP 400**.
- Optional filters: \`?dialpad_user_id=<id>\` or \`?crm_user_id=<id>\` (agents always receive only their own).
- First message: \`{"type":"welcome","app_id","filter","heartbeat_ms"}\`.
- One message per processed event: \`{"seq","event_id","event","call_id","direction","from_number","to_number","status","user_id","timestamp","target_crm_user"?}\` — \`seq\` is the event's position in the app's stream (1, 2, 3 … per app, in commit order; every socket receives its app's events in that order), \`event_id\` its id in the event log (the webhook answer's \`event_id\`); \`call_id\` and \`user_id\` are strings (Dialpad ids exceed 2^53); \`target_crm_user\` when the Dialpad user is mapped.
- Resume: reconnect with \`?since=<last seq>\`: the events after it (last 15 min, at most 1000) come first, in order, then \`{"type":"resumed","since","replayed"}\`, then the live stream — no gap, no duplicate.
- Client messages: \`{"type":"ping"}\` → \`{"type":"pong","ts"}\`; anything else gets \`{"type":"error","error","message"}\` (bad_json, bad_message, unknown_type, binary_not_supported). Frames over 64 KiB close the socket (1009).
- Heartbeat: a ping every 30 s; a client that missed the previous pong is terminated.
- Close codes: **4401** key revoked or rotated, **4403** app deactivated, **1001** server shutting down (reconnect, with \`since\`), **1008** not authenticated.

**Errors** are JSON \`{statusCode, error, message, request_id}\`; \`request_id\` echoes \`x-request-id\` (or the id generated for the request).`;

export function setupSwagger(app: INestApplication, uiEnabled: boolean): void {
  const config = new DocumentBuilder()
    .setTitle('Turbo CTI')
    .setDescription(API_DESCRIPTION)
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Admin JWT (role: admin)' }, 'admin')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-app-api-key', description: 'App API key (ctk_…)' }, 'api-key')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Agent token (POST /api/agents/token)' }, 'agent')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerUiEnabled: uiEnabled,
    swaggerOptions: { persistAuthorization: true },
  });
}
