import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AppsModule } from '../apps/apps.module.js';
import { EventsModule } from '../events/events.module.js';
import { WebhookTenantResolver } from './webhook-tenant.resolver.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

/** The HTTP edge of Dialpad's webhooks: tenant, signature, then the event log. */
@Module({
  imports: [AppsModule, ApiKeysModule, EventsModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookTenantResolver],
  exports: [WebhooksService, WebhookTenantResolver],
})
export class WebhooksModule {}
