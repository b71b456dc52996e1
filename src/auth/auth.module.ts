import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AppsModule } from '../apps/apps.module.js';
import { AdminOrApiKeyGuard } from './admin-or-api-key.guard.js';
import { AdminGuard } from './admin.guard.js';
import { AgentGuard } from './agent.guard.js';
import { ApiKeyGuard } from './api-key.guard.js';

/**
 * The guards of the three kinds of caller (admin JWT, app API key, agent token).
 * A feature module whose controllers use them imports this module: it exports
 * the guards and what they resolve callers with.
 */
@Module({
  imports: [AppsModule, ApiKeysModule],
  providers: [AdminGuard, ApiKeyGuard, AgentGuard, AdminOrApiKeyGuard],
  exports: [AdminGuard, ApiKeyGuard, AgentGuard, AdminOrApiKeyGuard, AppsModule, ApiKeysModule],
})
export class AuthModule {}
