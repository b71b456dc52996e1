import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuditContext } from '../apps/api-key-audit.repository.js';
import { AppsService } from '../apps/apps.service.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { AuditCtx } from '../auth/request-context.js';
import type { AppId } from '../common/app-id.js';
import { ADMIN_AUTH_ERRORS, ApiErrors } from '../infra/http/api-errors.js';
import { DncService } from './dnc.service.js';
import { AddDncDto, DncEntryDto, DncImportResultDto, DncPageDto, DncRemovedDto, ImportDncDto, ListDncQueryDto } from './dto/dnc.dto.js';

/** The app's do-not-call list: the dialer never places a call to a number on it. */
@ApiTags('internal: do-not-call')
@ApiBearerAuth('admin')
@UseGuards(AdminGuard)
@ApiErrors(ADMIN_AUTH_ERRORS, 400, { 404: 'Unknown app' }, 503)
@Controller('internal/apps/:app_id/dnc')
export class DncController {
  constructor(
    private readonly dnc: DncService,
    private readonly apps: AppsService,
  ) {}

  /** Add one number (E.164, or national digits read in `region`); adding a listed number changes nothing. */
  @Post()
  @HttpCode(201)
  async add(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Body() body: AddDncDto, @AuditCtx() ctx: AuditContext): Promise<DncEntryDto> {
    await this.apps.require(appId);
    const { added: _added, ...entry } = await this.dnc.add(appId, body, ctx.actor);
    return entry;
  }

  /** Bulk import from CSV text (a number per line, or a `phone` column); invalid lines are reported, valid ones added. */
  @Post('import')
  @HttpCode(200)
  async import(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Body() body: ImportDncDto, @AuditCtx() ctx: AuditContext): Promise<DncImportResultDto> {
    await this.apps.require(appId);
    return this.dnc.import(appId, body, ctx.actor);
  }

  /** The list, newest first, optionally only numbers containing `phone`. */
  @Get()
  async list(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Query() query: ListDncQueryDto): Promise<DncPageDto> {
    await this.apps.require(appId);
    return this.dnc.page(appId, query);
  }

  /** Remove a number from the list (E.164 in the path, e.g. `%2B14155550123`). */
  @Delete(':phone')
  @ApiErrors({ 404: 'Unknown app, or the number is not on the list' })
  async remove(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Param('phone') phone: string): Promise<DncRemovedDto> {
    await this.apps.require(appId);
    return this.dnc.remove(appId, phone);
  }
}
