import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AppsService } from '../apps/apps.service.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ListVoicemailsQueryDto, VoicemailDto } from './dto/voicemails.dto.js';
import { VoicemailRow, VoicemailsRepository } from './voicemails.repository.js';

@ApiTags('internal: voicemails')
@ApiBearerAuth('admin')
@UseGuards(AdminGuard)
@Controller('internal/apps/:app_id/voicemails')
export class VoicemailsController {
  constructor(
    private readonly voicemails: VoicemailsRepository,
    private readonly apps: AppsService,
  ) {}

  /** The app's voicemails, newest first. */
  @Get()
  async list(@Param('app_id', new ParseUUIDPipe()) appId: string, @Query() q: ListVoicemailsQueryDto): Promise<VoicemailDto[]> {
    await this.apps.require(appId);
    const from = q.from ? new Date(q.from) : undefined;
    const to = q.to ? new Date(q.to) : undefined;
    if (from && to && from >= to) throw new DomainError('INVALID_INPUT', '`from` must be before `to`');
    const rows = await this.voicemails.list(appId, { dialpadUserId: q.dialpad_user_id, from, to }, q.limit ?? 50, q.offset ?? 0);
    return rows.map(toVoicemailDto);
  }

  @Get(':id')
  async get(@Param('app_id', new ParseUUIDPipe()) appId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<VoicemailDto> {
    const row = await this.voicemails.findOne(appId, id);
    if (!row) throw new DomainError('NOT_FOUND', `Voicemail ${id} not found`);
    return toVoicemailDto(row);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('app_id', new ParseUUIDPipe()) appId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    if (!(await this.voicemails.delete(appId, id))) throw new DomainError('NOT_FOUND', `Voicemail ${id} not found`);
  }
}

function toVoicemailDto({ app_id: _appId, ...rest }: VoicemailRow): VoicemailDto {
  return rest;
}
