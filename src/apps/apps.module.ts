import { Global, Module } from '@nestjs/common';
import { ApiKeyAuditRepository } from '../api-keys/api-key-audit.repository.js';
import { ApiKeyResolver } from '../api-keys/api-key-resolver.service.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { AgentGuard } from '../auth/agent.guard.js';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { AppsController } from './apps.controller.js';
import { AppsRepository } from './apps.repository.js';
import { AppsService } from './apps.service.js';
import { MeController } from './me.controller.js';

/** Tenants, and what every other module needs of them: key resolution and the two auth guards. */
@Global()
@Module({
  controllers: [AppsController, MeController],
  providers: [AppsRepository, AppsService, ApiKeyAuditRepository, ApiKeyResolver, AdminGuard, ApiKeyGuard, AgentGuard],
  exports: [AppsRepository, AppsService, ApiKeyAuditRepository, ApiKeyResolver, AdminGuard, ApiKeyGuard, AgentGuard],
})
export class AppsModule {}
