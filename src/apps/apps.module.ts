import { Module } from '@nestjs/common';
import { ApiKeyAuditRepository } from './api-key-audit.repository.js';
import { AppChanges } from './app-changes.service.js';
import { AppsController } from './apps.controller.js';
import { AppsRepository } from './apps.repository.js';
import { AppsService } from './apps.service.js';

/** Tenants: their rows and credentials, and AppChanges, the cross-node "this app changed" bus. */
@Module({
  controllers: [AppsController],
  providers: [AppsRepository, AppsService, ApiKeyAuditRepository, AppChanges],
  exports: [AppsRepository, AppsService, ApiKeyAuditRepository, AppChanges],
})
export class AppsModule {}
