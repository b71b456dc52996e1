import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module.js';
import { ApiKeyResolver } from './api-key-resolver.service.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';
import { MeController } from './me.controller.js';

/** An app's API key: issue, rotate, revoke, audit, and key → app resolution (cached per node). */
@Module({
  imports: [AppsModule],
  controllers: [ApiKeysController, MeController],
  providers: [ApiKeysService, ApiKeyResolver],
  exports: [ApiKeyResolver],
})
export class ApiKeysModule {}
