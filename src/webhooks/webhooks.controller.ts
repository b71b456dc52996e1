import { Controller, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error.js';
import { ApiErrors } from '../infra/http/api-errors.js';
import { WebhookTenantResolver } from './webhook-tenant.resolver.js';
import { WebhookReceipt, WebhooksService } from './webhooks.service.js';

export class WebhookReceiptDto implements WebhookReceipt {
  received!: true;
  /** Our id of the stored event: the `seq` of its WebSocket message. */
  event_id!: string;
  /** The idempotency key: the payload's event_id, else `<call_id>:<state>:<event_timestamp>`. */
  dialpad_event_id!: string;
  /** True when this event was already stored: nothing new was stored. */
  duplicate!: boolean;
}

const BODY_DOC = {
  description:
    'The Dialpad event. Either an HS256 JWT signed with the app\'s webhook secret as the whole body (what Dialpad sends; any Content-Type), ' +
    'or the JSON event with `x-dialpad-signature: <hex HMAC-SHA256 of the raw body>` (optionally with `x-dialpad-timestamp`, then the HMAC covers `"<timestamp>.<body>"`, 5-minute window).',
  schema: { type: 'string' as const },
};

/**
 * Dialpad events in: `/webhooks/dialpad…` from Dialpad itself, `/events/dialpad…`
 * from a forwarder (n8n and the like). Same signature rules, same event log, so an
 * event that arrives both ways is stored once.
 */
@ApiTags('webhooks')
@Controller()
export class WebhooksController {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly tenants: WebhookTenantResolver,
  ) {}

  /** Receive a Dialpad event for the app in the URL (the URL to register with Dialpad). */
  @Post(['webhooks/dialpad/:app_id', 'events/dialpad/:app_id'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Receive a Dialpad webhook for an app', security: [] })
  @ApiConsumes('application/jwt', 'application/json', 'text/plain')
  @ApiBody(BODY_DOC)
  @ApiHeader({ name: 'x-dialpad-signature', required: false })
  @ApiHeader({ name: 'x-dialpad-timestamp', required: false })
  @ApiResponse({ status: 200, type: WebhookReceiptDto })
  @ApiResponse({ status: 400, description: 'Body is not JSON/JWT, or lacks a call id or event type' })
  @ApiResponse({ status: 401, description: 'Bad or missing signature' })
  @ApiResponse({ status: 403, description: 'App inactive' })
  @ApiResponse({ status: 404, description: 'Unknown app' })
  @ApiResponse({ status: 413, description: 'Body over 1 MiB' })
  @ApiResponse({ status: 503, description: 'Event store unavailable: Dialpad retries' })
  async receiveForApp(
    @Param('app_id') appId: AppId,
    @Req() req: FastifyRequest,
    @Headers('x-dialpad-signature') signature?: string,
    @Headers('x-dialpad-timestamp') timestamp?: string,
  ): Promise<WebhookReceiptDto> {
    return this.webhooks.receive(this.tenants.fromAppId(appId), rawBodyOf(req), { signature, timestamp });
  }

  /** Receive a Dialpad event; the app comes from `x-app-api-key` or `x-dialpad-org-id` (a connected Dialpad company). */
  @Post(['webhooks/dialpad', 'events/dialpad'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Receive a Dialpad webhook (tenant from headers)', security: [] })
  @ApiConsumes('application/jwt', 'application/json', 'text/plain')
  @ApiBody(BODY_DOC)
  @ApiHeader({ name: 'x-app-api-key', required: false })
  @ApiHeader({ name: 'x-dialpad-org-id', required: false })
  @ApiHeader({ name: 'x-dialpad-signature', required: false })
  @ApiHeader({ name: 'x-dialpad-timestamp', required: false })
  @ApiResponse({ status: 200, type: WebhookReceiptDto })
  @ApiErrors({
    400: 'Body is not JSON/JWT, or lacks a call id or event type',
    401: 'Bad or missing signature, or an unknown or revoked x-app-api-key',
    403: 'App inactive',
    404: 'No tenant: neither header given, or no app connected to the x-dialpad-org-id',
    413: 'Body over 1 MiB',
    503: 'Event store unavailable: Dialpad retries',
  })
  async receive(
    @Req() req: FastifyRequest,
    @Headers('x-app-api-key') apiKey?: string,
    @Headers('x-dialpad-org-id') orgId?: string,
    @Headers('x-dialpad-signature') signature?: string,
    @Headers('x-dialpad-timestamp') timestamp?: string,
  ): Promise<WebhookReceiptDto> {
    return this.webhooks.receive(this.tenants.fromHeaders(apiKey, orgId), rawBodyOf(req), { signature, timestamp });
  }
}

/** The webhook routes get the body unparsed, whatever its Content-Type (see src/infra/http/body-parsers.ts). */
export function rawBodyOf(req: FastifyRequest): Buffer {
  const body: unknown = req.body;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body === undefined || body === null) return Buffer.alloc(0);
  throw new DomainError('INVALID_INPUT', 'Unreadable body');
}
