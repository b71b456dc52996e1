import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, UseGuards } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuditContext } from './api-key-audit.repository.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { AuditCtx } from '../auth/request-context.js';
import { ApiErrors, ADMIN_AUTH_ERRORS } from '../infra/http/api-errors.js';
import { AppsService } from './apps.service.js';
import { AppDto, CreateAppDto, CreatedAppDto, ListAppsQueryDto, UpdateAppDto } from './dto/app.dto.js';

@ApiTags('internal: apps')
@ApiBearerAuth('admin')
@UseGuards(AdminGuard)
@ApiErrors(ADMIN_AUTH_ERRORS, 400, 503)
@Controller('internal/apps')
export class AppsController {
  constructor(private readonly apps: AppsService) {}

  /** Create a tenant. The answer holds its API key and webhook secret: they are never shown again. */
  @Post()
  @HttpCode(201)
  create(@Body() body: CreateAppDto, @AuditCtx() ctx: AuditContext): Promise<CreatedAppDto> {
    return this.apps.create(body.name, ctx);
  }

  /** List tenants, oldest first. */
  @Get()
  list(@Query() query: ListAppsQueryDto): Promise<AppDto[]> {
    return this.apps.list(query.limit, query.offset);
  }

  /** One tenant. */
  @Get(':app_id')
  @ApiErrors({ 404: 'Unknown app' })
  get(@Param('app_id', new ParseUUIDPipe()) appId: AppId): Promise<AppDto> {
    return this.apps.get(appId);
  }

  /** Rename or (de)activate a tenant. Deactivation takes effect on every node at once. */
  @Patch(':app_id')
  @ApiErrors({ 404: 'Unknown app' })
  update(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Body() body: UpdateAppDto): Promise<AppDto> {
    return this.apps.update(appId, body);
  }
}
