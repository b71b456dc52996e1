import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AgentStatusRepository, AgentStatusRow } from './agent-status.repository.js';
import { AgentStatusDto, AgentStatusPageDto, ListAgentStatusQueryDto } from './dto/agent-status.dto.js';

@Injectable()
export class AgentStatusService {
  constructor(private readonly statuses: AgentStatusRepository) {}

  async list(appId: AppId, q: ListAgentStatusQueryDto): Promise<AgentStatusPageDto> {
    const limit = q.limit ?? 50;
    const rows = await this.statuses.list(
      appId,
      { dialpadUserId: q.dialpad_user_id, crmUserId: q.crm_user_id },
      limit,
      q.cursor ? decodeCursor(q.cursor) : undefined,
    );
    const last = rows[rows.length - 1];
    return {
      items: rows.map(toAgentStatusDto),
      next_cursor: rows.length === limit && last ? Buffer.from(last.dialpad_user_id, 'utf8').toString('base64url') : null,
    };
  }
}

function decodeCursor(cursor: string): string {
  const userId = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{1,32}$/.test(userId)) throw new DomainError('INVALID_INPUT', 'cursor is not valid (use next_cursor from the previous page)');
  return userId;
}

export function toAgentStatusDto(row: AgentStatusRow): AgentStatusDto {
  return {
    dialpad_user_id: row.dialpad_user_id,
    crm_user_id: row.crm_user_id,
    name: row.agent_name,
    email: row.agent_email,
    phone: row.agent_phone,
    on_duty_status: row.on_duty_status,
    availability_status: row.availability_status,
    on_duty_status_reason: row.on_duty_status_reason,
    call_center_ids: row.call_center_ids,
    powerdialer_mode: row.powerdialer_mode,
    powerdialer_session: row.powerdialer_session,
    status_changed_at: row.status_changed_at,
    event_at: row.event_at,
    updated_at: row.updated_at,
  };
}
