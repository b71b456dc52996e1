import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../auth/admin.guard.js';
import { AuditCtx } from '../auth/request-context.js';
import type { AuditContext } from '../apps/api-key-audit.repository.js';
import { ApiErrors, ADMIN_AUTH_ERRORS } from '../infra/http/api-errors.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyStatusDto, AuditPageDto, AuditQueryDto, IssuedApiKeyDto, RevokedApiKeyDto, RotateApiKeyDto } from './dto/api-key.dto.js';

@ApiTags('internal: api keys')
@ApiBearerAuth('admin')
@UseGuards(AdminGuard)
@ApiErrors(ADMIN_AUTH_ERRORS, 400, { 404: 'Unknown app' }, 503)
@Controller('internal/apps/:app_id/api-key')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** Generate a key, or rotate the current one. The new key is shown only in this answer. */
  @Post()
  @HttpCode(201)
  issue(
    @Param('app_id', new ParseUUIDPipe()) appId: AppId,
    @Body() body: RotateApiKeyDto,
    @AuditCtx() ctx: AuditContext,
  ): Promise<IssuedApiKeyDto> {
    return this.keys.issue(appId, body.grace_seconds ?? 0, ctx);
  }

  /** Revoke the app's key(s): REST refuses them at once and the app's WebSockets are closed. */
  @Post('revoke')
  @HttpCode(200)
  revoke(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @AuditCtx() ctx: AuditContext): Promise<RevokedApiKeyDto> {
    return this.keys.revoke(appId, ctx);
  }

  /** Whether the app has a working key, and its prefix. */
  @Get('status')
  status(@Param('app_id', new ParseUUIDPipe()) appId: AppId): Promise<ApiKeyStatusDto> {
    return this.keys.status(appId);
  }

  /** Every generate / rotate / revoke, newest first. */
  @Get('audit')
  audit(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Query() query: AuditQueryDto): Promise<AuditPageDto> {
    return this.keys.auditLog(appId, query.limit, query.before);
  }
}
