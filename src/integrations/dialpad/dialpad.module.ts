import { Module } from '@nestjs/common';
import { DialpadConnectionRepository } from './dialpad-connection.repository.js';
import { DialpadMetrics } from './dialpad-metrics.js';
import { DialpadOAuthClient } from './dialpad-oauth.client.js';
import { DialpadRateLimiter } from './dialpad-rate-limiter.js';
import { DialpadTokenService } from './dialpad-token.service.js';
import { DialpadTokenSource } from './dialpad-token-source.js';
import { DialpadTransport } from './dialpad-transport.js';
import { DialpadClient } from './dialpad.client.js';

/**
 * Dialpad's API as this service uses it: the REST client (rate limits, retries,
 * breaker), the OAuth token endpoint, and each app's stored connection with its
 * tokens (refreshed once under concurrency). Imported by the OAuth feature
 * (dialpad-connect) and by the dialer; neither needs the other.
 */
@Module({
  providers: [
    DialpadMetrics,
    DialpadRateLimiter,
    DialpadTransport,
    DialpadOAuthClient,
    DialpadClient,
    DialpadConnectionRepository,
    DialpadTokenService,
    { provide: DialpadTokenSource, useExisting: DialpadTokenService },
  ],
  exports: [DialpadClient, DialpadOAuthClient, DialpadConnectionRepository, DialpadTokenService, DialpadRateLimiter],
})
export class DialpadModule {}
