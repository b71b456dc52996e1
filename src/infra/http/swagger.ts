import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const API_DESCRIPTION = `Turbo CTI: Dialpad call events to real-time screen pops, REST for CRM frontends, and a preview dialer.

**Auth schemes**
- \`admin\`: \`Authorization: Bearer <JWT>\` (HS256, INTERNAL_JWT_SECRET, claim \`role: "admin"\`) on every \`/internal/*\` route. \`npm run admin -- mint-admin-token\` prints one.
- \`api-key\`: \`x-app-api-key: ctk_…\` on every \`/api/*\` route (and \`/ws\`). Unknown or revoked key → 401; inactive app → 403.

**Errors** are JSON \`{statusCode, error, message, request_id}\`; \`request_id\` echoes \`x-request-id\` (or the id generated for the request).`;

export function setupSwagger(app: INestApplication, uiEnabled: boolean): void {
  const config = new DocumentBuilder()
    .setTitle('Turbo CTI')
    .setDescription(API_DESCRIPTION)
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Admin JWT (role: admin)' }, 'admin')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-app-api-key', description: 'App API key (ctk_…)' }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerUiEnabled: uiEnabled,
    swaggerOptions: { persistAuthorization: true },
  });
}
