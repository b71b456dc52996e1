import type { INestApplication } from '@nestjs/common';
import { AppsService } from '../apps/apps.service.js';
import { mintAdminToken } from '../auth/admin-token.js';
import type { AppConfig } from '../infra/config/app-config.js';

/**
 * Demo mode (no DATABASE_URL): on the first start create a demo app and print
 * everything needed to try the service — its API key, an admin token, the URLs.
 */
export async function ensureDemoApp(app: INestApplication, config: AppConfig, base: string): Promise<void> {
  const apps = app.get(AppsService);
  const token = await mintAdminToken(config.INTERNAL_JWT_SECRET, 'demo-admin', '7d');
  const existing = await apps.list(1, 0);
  const lines = ['', '  Turbo CTI is running in demo mode (embedded PostgreSQL, in-process Redis: single node).', ''];
  if (existing.length === 0) {
    const created = await apps.create('Demo app', { actor: 'demo-bootstrap', ip: null, userAgent: null });
    lines.push(
      `  Demo app id:      ${created.id}`,
      `  Demo API key:     ${created.api_key}        (shown once)`,
      `  Webhook secret:   ${created.webhook_secret}        (shown once)`,
    );
  } else {
    lines.push(`  Apps exist already (first: ${existing[0]!.id}); rotate a key from /docs to get a new one.`);
  }
  lines.push(
    `  Admin token (7d): ${token}`,
    '',
    `  Swagger UI:       ${base}/docs`,
    `  OpenAPI JSON:     ${base}/docs-json`,
    `  WebSocket:        ${base.replace(/^http/, 'ws')}/ws?api_key=<API key>`,
    `  Webhooks:         ${base}/webhooks/dialpad/<app id>`,
    '',
  );
  process.stdout.write(lines.join('\n') + '\n');
}
