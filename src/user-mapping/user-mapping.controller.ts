import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AppsService } from '../apps/apps.service.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { DomainError } from '../common/errors/domain-error.js';
import { BatchMapDto, BatchMapResultDto, ListMappingsQueryDto, UserMappingDto, UserMappingInputDto } from './dto/user-mapping.dto.js';
import { UserMappingRepository } from './user-mapping.repository.js';

@ApiTags('internal: user mapping')
@ApiBearerAuth('admin')
@UseGuards(AdminGuard)
@Controller('internal/apps/:app_id/users')
export class UserMappingController {
  constructor(
    private readonly mappings: UserMappingRepository,
    private readonly apps: AppsService,
  ) {}

  /** Map one Dialpad user to a CRM user (creates or updates). Calls processed from now on carry `crm_user_id`. */
  @Post('map')
  @HttpCode(200)
  async map(@Param('app_id', new ParseUUIDPipe()) appId: string, @Body() body: UserMappingInputDto): Promise<UserMappingDto> {
    await this.apps.require(appId);
    const [row] = await this.mappings.upsertMany(appId, [body]);
    return row!;
  }

  /** Up to 1000 mappings at once: every row is validated (errors name the row), then all are applied or none. */
  @Post('batch-map')
  @HttpCode(200)
  async batchMap(@Param('app_id', new ParseUUIDPipe()) appId: string, @Body() body: BatchMapDto): Promise<BatchMapResultDto> {
    await this.apps.require(appId);
    const seen = new Map<string, number>();
    const duplicates: string[] = [];
    body.mappings.forEach((m, i) => {
      const first = seen.get(m.dialpad_user_id);
      if (first !== undefined) duplicates.push(`mappings.${i}.dialpad_user_id: ${m.dialpad_user_id} already given in mappings.${first}`);
      else seen.set(m.dialpad_user_id, i);
    });
    if (duplicates.length > 0) throw new DomainError('INVALID_INPUT', duplicates.join('; '));
    const rows = await this.mappings.upsertMany(appId, body.mappings);
    return { count: rows.length, mappings: rows };
  }

  /** The app's mappings. */
  @Get('mappings')
  async list(@Param('app_id', new ParseUUIDPipe()) appId: string, @Query() q: ListMappingsQueryDto): Promise<UserMappingDto[]> {
    await this.apps.require(appId);
    return this.mappings.list(appId, { dialpadUserId: q.dialpad_user_id, crmUserId: q.crm_user_id }, q.limit ?? 100, q.offset ?? 0);
  }

  /** Remove a mapping. */
  @Delete('mappings/:id')
  @HttpCode(204)
  async remove(@Param('app_id', new ParseUUIDPipe()) appId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.apps.require(appId);
    if (!(await this.mappings.delete(appId, id))) throw new DomainError('NOT_FOUND', `Mapping ${id} not found`);
  }
}
