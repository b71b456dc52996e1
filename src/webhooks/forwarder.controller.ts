import { Controller, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { rawBodyOf, WebhookReceiptDto } from './webhooks.controller.js';
import { WebhookTenantResolver } from './webhook-tenant.resolver.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * `POST /events/dialpad`: Dialpad events relayed by a forwarder (n8n and the
 * like), with the same signature rules as the webhooks. They join the same event
 * log, so an event that also came straight from Dialpad is stored once.
 */
@ApiTags('webhooks')
@Controller('events/dialpad')
export class ForwarderController {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly tenants: WebhookTenantResolver,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Receive a forwarded Dialpad event (tenant from x-app-api-key or x-dialpad-org-id)' })
  @ApiHeader({ name: 'x-app-api-key', required: false })
  @ApiHeader({ name: 'x-dialpad-org-id', required: false })
  @ApiHeader({ name: 'x-dialpad-signature', required: false })
  @ApiHeader({ name: 'x-dialpad-timestamp', required: false })
  @ApiResponse({ status: 200, type: WebhookReceiptDto })
  async receive(
    @Req() req: FastifyRequest,
    @Headers('x-app-api-key') apiKey?: string,
    @Headers('x-dialpad-org-id') orgId?: string,
    @Headers('x-dialpad-signature') signature?: string,
    @Headers('x-dialpad-timestamp') timestamp?: string,
  ): Promise<WebhookReceiptDto> {
    const tenant = await this.tenants.fromHeaders(apiKey, orgId);
    return this.webhooks.receive(tenant, rawBodyOf(req), { signature, timestamp });
  }

  @Post(':app_id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Receive a forwarded Dialpad event for an app' })
  @ApiResponse({ status: 200, type: WebhookReceiptDto })
  async receiveForApp(
    @Param('app_id') appId: string,
    @Req() req: FastifyRequest,
    @Headers('x-dialpad-signature') signature?: string,
    @Headers('x-dialpad-timestamp') timestamp?: string,
  ): Promise<WebhookReceiptDto> {
    const tenant = await this.tenants.fromAppId(appId);
    return this.webhooks.receive(tenant, rawBodyOf(req), { signature, timestamp });
  }
}
