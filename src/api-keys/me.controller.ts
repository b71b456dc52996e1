import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { ResolvedApp } from './api-key-resolver.service.js';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { CurrentApp } from '../auth/request-context.js';

export class MeDto {
  app_id!: string;
  name!: string;
}

@ApiTags('api')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@Controller('api/me')
export class MeController {
  /** The app this API key belongs to: lets a CRM frontend check its key. */
  @Get()
  me(@CurrentApp() app: ResolvedApp): MeDto {
    return { app_id: app.id, name: app.name };
  }
}
