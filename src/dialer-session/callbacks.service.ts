import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { AppId } from '../common/app-id.js';
import { DomainError } from '../common/errors/domain-error.js';
import { areaCodeZones, type AgentRow, zoneOfCell } from '../policy/index.js';
import type { AttemptRow } from './attempts.repository.js';
import { type CallbackRow, CallbacksRepository } from './callbacks.repository.js';
import type { CallbackDto } from './dto/callbacks.dto.js';

/** A pending callback this long past due is flagged missed (it stays due). */
const MISSED_AFTER_MS = 5 * 60_000;
/** How far ahead a callback may be scheduled. */
const MAX_AHEAD_MS = 366 * 24 * 3600_000;

/** Scheduled callbacks: made by a disposition, listed and edited by agents and admins, dialed first when due. */
@Injectable()
export class CallbacksService {
  constructor(private readonly callbacks: CallbacksRepository) {}

  /** From a disposition: the lead asked to be called at `at` (its local time unless an offset is given). */
  async schedule(
    attempt: AttemptRow,
    lead: Pick<AgentRow, 'name' | 'timezone'> | null,
    input: { at: string; onlyMe: boolean; notes: string | null; campaignName: string },
    now = new Date(),
  ): Promise<CallbackDto> {
    const zone = zoneFor(lead, attempt.phone);
    // validated before the disposition was written (validate): the row's own zone may move it, never refuse it now
    const dueAt = parseWhen(input.at, zone, now, { checked: true });
    const row = await this.callbacks.create({
      id: randomUUID(),
      app_id: attempt.app_id,
      spreadsheet_id: attempt.spreadsheet_id,
      tab_id: attempt.tab_id,
      campaign_name: input.campaignName,
      row_id: attempt.row_id,
      lead_name: lead?.name ?? '',
      number_index: attempt.number_index,
      phone: attempt.phone,
      agent_email: attempt.agent_email,
      only_me: input.onlyMe,
      due_at: dueAt,
      time_zone: zone,
      notes: input.notes,
      scheduledByAttempt: attempt.id,
    });
    return toDto(row, now);
  }

  /** Refuses a time that cannot be a callback (malformed, past, more than a year ahead), read in the number's zone. */
  validate(at: string, phone: string, now = new Date()): void {
    parseWhen(at, zoneFor(null, phone), now);
  }

  async list(appId: AppId, filter: { agentEmail?: string; status?: string }): Promise<CallbackDto[]> {
    const now = new Date();
    return (await this.callbacks.list(appId, filter)).map((r) => toDto(r, now));
  }

  /** An agent may change their own callbacks and their campaign's shared ones; an admin (no agent) any of the app's. */
  async update(appId: AppId, id: string, patch: { due_at?: string; only_me?: boolean; notes?: string }, agentEmail?: string): Promise<CallbackDto> {
    const found = await this.require(appId, id, agentEmail);
    const now = new Date();
    const dueAt = patch.due_at !== undefined ? parseWhen(patch.due_at, found.time_zone, now) : undefined;
    const row = await this.callbacks.update(appId, id, { dueAt, onlyMe: patch.only_me, notes: patch.notes });
    return toDto(row!, now);
  }

  async cancel(appId: AppId, id: string, agentEmail?: string): Promise<CallbackDto> {
    const found = await this.require(appId, id, agentEmail);
    if (!(await this.callbacks.cancel(appId, id))) throw new DomainError('CONFLICT', `Callback ${id} is ${found.status}: only a pending callback can be cancelled`);
    return toDto({ ...found, status: 'cancelled' }, new Date());
  }

  private async require(appId: AppId, id: string, agentEmail: string | undefined): Promise<CallbackRow> {
    const row = await this.callbacks.find(appId, id);
    const visible = row && (!agentEmail || row.agent_email === agentEmail.toLowerCase() || !row.only_me);
    if (!visible) throw new DomainError('NOT_FOUND', `Callback ${id} not found`);
    return row;
  }
}

function zoneFor(lead: Pick<AgentRow, 'timezone'> | null, phone: string): string | null {
  return (lead ? zoneOfCell(lead.timezone)?.[0] : undefined) ?? areaCodeZones(phone)?.[0] ?? null;
}

/** `2026-03-10T15:00` in the lead's zone (UTC when unknown), or an instant with its offset; not in the past, within a year. */
function parseWhen(text: string, zone: string | null, now: Date, options: { checked?: boolean } = {}): Date {
  const hasOffset = /(Z|[+-]\d{2}:\d{2})$/.test(text);
  const parsed = DateTime.fromISO(text, hasOffset ? { setZone: true } : { zone: zone ?? 'UTC' });
  if (!parsed.isValid) throw new DomainError('INVALID_INPUT', `callback_at: ${JSON.stringify(text)} is not a valid date and time`);
  const at = parsed.toJSDate();
  if (options.checked) return at;
  if (at.getTime() < now.getTime() - 60_000) throw new DomainError('INVALID_INPUT', 'callback_at is in the past');
  if (at.getTime() > now.getTime() + MAX_AHEAD_MS) throw new DomainError('INVALID_INPUT', 'callback_at is more than a year ahead');
  return at;
}

function toDto(r: CallbackRow, now: Date): CallbackDto {
  const local = DateTime.fromJSDate(r.due_at, { zone: r.time_zone ?? 'UTC' });
  return {
    id: r.id,
    row_id: r.row_id,
    lead_name: r.lead_name,
    number_index: r.number_index,
    phone: r.phone,
    campaign_name: r.campaign_name,
    agent_email: r.agent_email,
    only_me: r.only_me,
    due_at: r.due_at,
    due_local: local.toISO({ suppressMilliseconds: true }) ?? r.due_at.toISOString(),
    time_zone: r.time_zone,
    notes: r.notes,
    status: r.status,
    missed: r.status === 'pending' && now.getTime() - r.due_at.getTime() > MISSED_AFTER_MS,
  };
}
