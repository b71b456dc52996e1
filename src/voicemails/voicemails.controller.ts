import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Query, UseGuards } from '@nestjs/common';
import { timeRange } from '../common/time-range.js';
import type { AppId } from '../common/app-id.js';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AppsService } from '../apps/apps.service.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ApiErrors, ADMIN_AUTH_ERRORS } from '../infra/http/api-errors.js';
import { ListVoicemailsQueryDto, VoicemailDto } from './dto/voicemails.dto.js';
import { VoicemailRow, VoicemailsRepository } from './voicemails.repository.js';

@ApiTags('internal: voicemails')
@ApiBearerAuth('admin')
@UseGuards(AdminGuard)
@ApiErrors(ADMIN_AUTH_ERRORS, 400, 503)
@Controller('internal/apps/:app_id/voicemails')
export class VoicemailsController {
  constructor(
    private readonly voicemails: VoicemailsRepository,
    private readonly apps: AppsService,
  ) {}

  /** The app's voicemails, newest first. */
  @Get()
  @ApiErrors({ 404: 'Unknown app' })
  async list(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Query() q: ListVoicemailsQueryDto): Promise<VoicemailDto[]> {
    await this.apps.require(appId);
    const { from, to } = timeRange(q);
    const rows = await this.voicemails.list(appId, { dialpadUserId: q.dialpad_user_id, from, to }, q.limit ?? 50, q.offset ?? 0);
    return rows.map(toVoicemailDto);
  }

  /** One voicemail of the app. */
  @Get(':id')
  @ApiErrors({ 404: 'No such voicemail in the app' })
  async get(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Param('id', new ParseUUIDPipe()) id: string): Promise<VoicemailDto> {
    const row = await this.voicemails.findOne(appId, id);
    if (!row) throw new DomainError('NOT_FOUND', `Voicemail ${id} not found`);
    return toVoicemailDto(row);
  }

  /** Delete a voicemail of the app (its row here; nothing is deleted at Dialpad). */
  @Delete(':id')
  @HttpCode(204)
  @ApiErrors({ 404: 'No such voicemail in the app' })
  async remove(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    if (!(await this.voicemails.delete(appId, id))) throw new DomainError('NOT_FOUND', `Voicemail ${id} not found`);
  }
}

function toVoicemailDto({ app_id: _appId, ...rest }: VoicemailRow): VoicemailDto {
  return rest;
}
