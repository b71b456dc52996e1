import { DateTime } from 'luxon';
import { areaCodeZones, MAX_NUMBERS, zoneOfCell } from '../policy/index.js';
import type { AgentRow } from '../policy/index.js';
import type { LeadViewDto } from './dto/dialer.dto.js';

/**
 * Pure: the lead as the agent's screen shows it — every number with its status,
 * notes, attempts, and the lead's local time (its Timezone cell, else the zone
 * of the number being dialed; null when neither tells).
 */
export function leadView(row: AgentRow, dialedE164: string | null, now: Date): LeadViewDto {
  const numbers = [];
  for (let i = 0; i < MAX_NUMBERS; i++) {
    const phone = (row.numbers[i] ?? '').trim();
    if (phone !== '') numbers.push({ index: i + 1, phone, status: (row.statuses[i] ?? '').trim() || 'NEW' });
  }
  const zone = zoneOfCell(row.timezone)?.[0] ?? (dialedE164 ? areaCodeZones(dialedE164)?.[0] : undefined) ?? null;
  const local = zone ? DateTime.fromJSDate(now, { zone }) : null;
  const attempts = Number.parseInt(row.attemptCount, 10);
  return {
    row_id: row.rowId,
    name: row.name,
    notes: row.notes,
    attempts: Number.isFinite(attempts) && attempts > 0 ? attempts : 0,
    time_zone: zone,
    local_time: local?.isValid ? local.toISO({ suppressMilliseconds: true }) : null,
    numbers,
  };
}
