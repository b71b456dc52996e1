import type { INestApplication } from '@nestjs/common';
import { AppsService } from '../apps/apps.service.js';
import { mintAdminToken } from '../auth/admin-token.js';
import type { AppConfig } from '../infra/config/app-config.js';

/**
 * Demo mode (no DATABASE_URL): on the first start create a demo app. Returns the
 * banner with everything needed to try the service — its API key, an admin
 * token, the URLs — for main.ts to print last, after every start-up log line.
 */
export async function ensureDemoApp(app: INestApplication, config: AppConfig, base: string): Promise<string> {
  const apps = app.get(AppsService);
  const token = await mintAdminToken(config.INTERNAL_JWT_SECRET, 'demo-admin', '7d');
  const existing = await apps.list(1, 0);
  const lines = ['Turbo CTI is running in demo mode (embedded PostgreSQL, in-process Redis: single node).', ''];
  if (existing.length === 0) {
    const created = await apps.create('Demo app', { actor: 'demo-bootstrap', ip: null, userAgent: null });
    lines.push(
      `Demo app id:      ${created.id}`,
      `Demo API key:     ${created.api_key}   (shown once: copy it now)`,
      `Webhook secret:   ${created.webhook_secret}   (shown once)`,
    );
  } else {
    lines.push(
      `Apps exist already (first: ${existing[0]!.id}). Their keys were shown once, at creation; for a new key:`,
      `  curl -s -X POST ${base}/internal/apps/${existing[0]!.id}/api-key -H "Authorization: Bearer <admin token>"`,
    );
  }
  lines.push(
    `Admin token (7d): ${token}`,
    '',
    `Swagger UI:       ${base}/docs   (Authorize with the admin token or the API key)`,
    `OpenAPI JSON:     ${base}/docs-json`,
    `WebSocket:        ${base.replace(/^http/, 'ws')}/ws?api_key=<API key>`,
    `Webhooks:         ${base}/webhooks/dialpad/<app id>`,
    '',
    'Ctrl-C stops the service (and its embedded PostgreSQL).',
  );
  const rule = '='.repeat(78);
  return ['', rule, ...lines.map((l) => (l ? `  ${l}` : '')), rule, ''].join('\n') + '\n';
}
