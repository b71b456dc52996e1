import { Module } from '@nestjs/common';
import { AdminOrApiKeyGuard } from '../auth/admin-or-api-key.guard.js';
import { DialpadMetrics } from '../integrations/dialpad/dialpad-metrics.js';
import { DialpadOAuthClient } from '../integrations/dialpad/dialpad-oauth.client.js';
import { DialpadRateLimiter } from '../integrations/dialpad/dialpad-rate-limiter.js';
import { DialpadTokenSource } from '../integrations/dialpad/dialpad-token-source.js';
import { DialpadTransport } from '../integrations/dialpad/dialpad-transport.js';
import { DialpadClient } from '../integrations/dialpad/dialpad.client.js';
import { DialpadAdminController } from './dialpad-admin.controller.js';
import { DialpadConnectController } from './dialpad-connect.controller.js';
import { DialpadConnectService } from './dialpad-connect.service.js';
import { DialpadConnectionRepository } from './dialpad-connection.repository.js';
import { DialpadSubscribeService } from './dialpad-subscribe.service.js';
import { DialpadTokenService } from './dialpad-token.service.js';
import { DialpadUsersModule } from './dialpad-users.module.js';
import { DialpadUsersService } from './dialpad-users.service.js';
import { OAuthStateStore } from './oauth-state.store.js';

/**
 * An app's Dialpad connection (OAuth, tokens, users, webhook subscription) and
 * the Dialpad API client that uses it. Import this module for DialpadClient
 * (placing calls) and DialpadTokenService.
 */
@Module({
  imports: [DialpadUsersModule],
  controllers: [DialpadConnectController, DialpadAdminController],
  providers: [
    // the client (src/integrations/dialpad)
    DialpadMetrics,
    DialpadRateLimiter,
    DialpadTransport,
    DialpadOAuthClient,
    DialpadClient,
    { provide: DialpadTokenSource, useExisting: DialpadTokenService },
    // the connection
    DialpadConnectionRepository,
    DialpadTokenService,
    OAuthStateStore,
    DialpadConnectService,
    DialpadUsersService,
    DialpadSubscribeService,
    AdminOrApiKeyGuard,
  ],
  exports: [DialpadClient, DialpadTokenService, DialpadRateLimiter, DialpadUsersModule],
})
export class DialpadConnectModule {}
