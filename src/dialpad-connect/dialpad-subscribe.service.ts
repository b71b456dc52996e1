import { Injectable, Logger } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { AppsService } from '../apps/apps.service.js';
import { AppConfig } from '../infra/config/app-config.js';
import { DialpadUnavailableError } from '../integrations/dialpad/dialpad-errors.js';
import { DialpadClient } from '../integrations/dialpad/dialpad.client.js';
import { DialpadConnectionRepository } from '../integrations/dialpad/dialpad-connection.repository.js';
import { SubscribeDto, SubscribeResultDto } from './dto/dialpad-connect.dto.js';

/** Every call state: Dialpad's catch-all value of `call_states`. */
export const ALL_CALL_STATES = ['all'];

/** Wires the app's Dialpad company to this service: a webhook to /webhooks/dialpad/<app_id> and a call-event subscription. */
@Injectable()
export class DialpadSubscribeService {
  private readonly logger = new Logger(DialpadSubscribeService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly apps: AppsService,
    private readonly client: DialpadClient,
    private readonly connections: DialpadConnectionRepository,
  ) {}

  async subscribe(appId: AppId, body: SubscribeDto): Promise<SubscribeResultDto> {
    await this.apps.require(appId);
    const hookUrl = this.hookUrl(appId);
    const callStates = body.call_states ?? ALL_CALL_STATES;
    const existing = await this.connections.find(appId);
    if (existing?.status === 'connected' && existing.webhook_id && existing.subscription_id && !body.force) {
      return { webhook_id: existing.webhook_id, subscription_id: existing.subscription_id, hook_url: hookUrl, call_states: callStates, created: false };
    }
    // Dialpad signs each event as an HS256 JWT with this secret: the one our webhook route verifies
    const secret = await this.apps.webhookSecret(appId);
    const webhook = await this.client.createWebhook(appId, hookUrl, secret);
    const subscription = await this.client.createCallSubscription(appId, { webhook_id: webhook.id, call_states: callStates });
    await this.connections.saveSubscription(appId, webhook.id, subscription.id);
    this.logger.log(`app ${appId}: Dialpad webhook ${webhook.id} and call subscription ${subscription.id} created`);
    return { webhook_id: webhook.id, subscription_id: subscription.id, hook_url: hookUrl, call_states: subscription.call_states.length ? subscription.call_states : callStates, created: true };
  }

  private hookUrl(appId: AppId): string {
    // read at call time: PUBLIC_BASE_URL is the service's own origin
    const base = this.config.PUBLIC_BASE_URL;
    if (!base) throw new DialpadUnavailableError('PUBLIC_BASE_URL is not set on this server: Dialpad needs a public URL to send webhooks to');
    return `${base.replace(/\/+$/, '')}/webhooks/dialpad/${appId}`;
  }
}
