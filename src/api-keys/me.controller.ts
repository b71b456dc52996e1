import { Controller, Get, UseGuards } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { ResolvedApp } from './api-key-resolver.service.js';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { CurrentApp } from '../auth/request-context.js';
import { ApiErrors, API_KEY_AUTH_ERRORS } from '../infra/http/api-errors.js';

export class MeDto {
  app_id!: AppId;
  name!: string;
}

@ApiTags('api')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@ApiErrors(API_KEY_AUTH_ERRORS, 503)
@Controller('api/me')
export class MeController {
  /** The app this API key belongs to: lets a CRM frontend check its key. */
  @Get()
  me(@CurrentApp() app: ResolvedApp): MeDto {
    return { app_id: app.id, name: app.name };
  }
}
