import { Injectable } from '@nestjs/common';
import { DomainError, httpStatusOf } from '../common/errors/domain-error.js';
import { EventIngestService } from '../events/event-ingest.service.js';
import { EventMetrics } from '../events/event-metrics.js';
import { headerOf, normalizeWebhookEvent } from '../integrations/dialpad/wire/webhook-event.js';
import { decodeWebhookBody, WebhookSignatureHeaders } from './webhook-signature.js';
import { WebhookTenant } from './webhook-tenant.resolver.js';

export interface WebhookReceipt {
  received: true;
  /** our id of the stored event (the WebSocket message's `event_id`) */
  event_id: string;
  dialpad_event_id: string;
  duplicate: boolean;
}

/** Verify, store, answer: nothing else happens on the request path (docs/architecture.md, "Webhook to screen pop"). */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly ingest: EventIngestService,
    private readonly metrics: EventMetrics,
  ) {}

  /** Resolves the tenant, verifies and stores; every refusal is counted by status in /metrics. */
  async receive(tenant: Promise<WebhookTenant>, rawBody: Buffer, headers: WebhookSignatureHeaders): Promise<WebhookReceipt> {
    try {
      return await this.verifyAndStore(await tenant, rawBody, headers);
    } catch (err) {
      this.metrics.rejected.inc({ status: err instanceof DomainError ? String(httpStatusOf(err.code)) : '500' });
      throw err;
    }
  }

  private async verifyAndStore(tenant: WebhookTenant, rawBody: Buffer, headers: WebhookSignatureHeaders): Promise<WebhookReceipt> {
    if (!tenant.isActive) throw new DomainError('APP_INACTIVE', 'App is inactive');
    if (rawBody.length === 0) throw new DomainError('INVALID_INPUT', 'Empty body: expected a JSON event or a JWT');
    const decoded = decodeWebhookBody(rawBody, tenant.secret, headers, Date.now());
    if (!decoded.ok) throw new DomainError(decoded.status === 401 ? 'UNAUTHENTICATED' : 'INVALID_INPUT', decoded.message);
    const normalized = normalizeWebhookEvent(decoded.payload);
    if (!normalized.ok) throw new DomainError('INVALID_INPUT', normalized.message);
    const event = headerOf(normalized.value);
    const ref = await this.ingest.store({
      appId: tenant.appId,
      dialpadEventId: event.dialpadEventId,
      eventType: event.eventType,
      dialpadCallId: event.dialpadCallId,
      payloadJson: decoded.json,
    });
    return { received: true, event_id: ref.id, dialpad_event_id: ref.dialpadEventId, duplicate: ref.duplicate };
  }
}
