import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AppsService } from '../apps/apps.service.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ApiErrors, ADMIN_AUTH_ERRORS } from '../infra/http/api-errors.js';
import { DialpadUserResolver } from './dialpad-user-resolver.js';
import { BatchMapDto, BatchMapResultDto, ListMappingsQueryDto, UserMappingDto, UserMappingInputDto } from './dto/user-mapping.dto.js';
import { UserMappingRepository } from './user-mapping.repository.js';

@ApiTags('internal: user mapping')
@ApiBearerAuth('admin')
@UseGuards(AdminGuard)
@ApiErrors(ADMIN_AUTH_ERRORS, 400, 503)
@Controller('internal/apps/:app_id/users')
export class UserMappingController {
  constructor(
    private readonly mappings: UserMappingRepository,
    private readonly apps: AppsService,
    private readonly dialpadUsers: DialpadUserResolver,
  ) {}

  /**
   * Map one Dialpad user to a CRM user (creates or updates). Calls processed from now on carry `crm_user_id`.
   * The Dialpad user is given by `dialpad_user_id` or by `dialpad_user_email` (a synced Dialpad user of the app).
   */
  @Post('map')
  @HttpCode(200)
  @ApiErrors({ 404: 'Unknown app' })
  async map(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Body() body: UserMappingInputDto): Promise<UserMappingDto> {
    await this.apps.require(appId);
    const resolved = await this.dialpadUsers.resolve(appId, [body], () => '');
    const [row] = await this.mappings.upsertMany(appId, resolved);
    return row!;
  }

  /**
   * Up to 1000 mappings at once: every row is validated (errors name the row), then all are applied or none.
   * A row gives `dialpad_user_id` or `dialpad_user_email` (exactly one).
   */
  @Post('batch-map')
  @HttpCode(200)
  @ApiErrors({ 404: 'Unknown app' })
  async batchMap(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Body() body: BatchMapDto): Promise<BatchMapResultDto> {
    await this.apps.require(appId);
    const resolved = await this.dialpadUsers.resolve(appId, body.mappings, (i) => `mappings.${i}.`);
    const seen = new Map<string, number>();
    const duplicates: string[] = [];
    resolved.forEach((m, i) => {
      const first = seen.get(m.dialpad_user_id);
      const field = body.mappings[i]!.dialpad_user_email === undefined ? 'dialpad_user_id' : 'dialpad_user_email';
      if (first !== undefined) duplicates.push(`mappings.${i}.${field}: Dialpad user ${m.dialpad_user_id} already given in mappings.${first}`);
      else seen.set(m.dialpad_user_id, i);
    });
    if (duplicates.length > 0) throw new DomainError('INVALID_INPUT', duplicates.join('; '));
    const rows = await this.mappings.upsertMany(appId, resolved);
    return { count: rows.length, mappings: rows };
  }

  /** The app's mappings. */
  @Get('mappings')
  @ApiErrors({ 404: 'Unknown app' })
  async list(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Query() q: ListMappingsQueryDto): Promise<UserMappingDto[]> {
    await this.apps.require(appId);
    return this.mappings.list(appId, { dialpadUserId: q.dialpad_user_id, crmUserId: q.crm_user_id }, q.limit ?? 100, q.offset ?? 0);
  }

  /** Remove a mapping. */
  @Delete('mappings/:id')
  @HttpCode(204)
  @ApiErrors({ 404: 'Unknown app, or no such mapping in it' })
  async remove(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.apps.require(appId);
    if (!(await this.mappings.delete(appId, id))) throw new DomainError('NOT_FOUND', `Mapping ${id} not found`);
  }
}
