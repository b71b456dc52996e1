import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { WebhookTenantResolver } from './webhook-tenant.resolver.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

@Module({
  imports: [EventsModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookTenantResolver],
  exports: [WebhooksService, WebhookTenantResolver],
})
export class WebhooksModule {}
