import type { CampaignPolicy } from './campaign-policy.js';
import type { RowUpdate } from './disposition.js';
import { leadOf } from './lead.js';
import { type AgentRow, type CellChange, MAX_NUMBERS, OPEN_STATUSES, type PhoneStatus, statusColumn } from './policy.types.js';
import { appendNote, applyChanges, onlyChanged } from './row-changes.js';

/**
 * The write-back that keeps a lead's numbers honest: an open number that is not
 * a phone number becomes WRONG, one that repeats an earlier number of the lead
 * becomes SKIPPED, each with a note. No changes when there is nothing to fix.
 */
export function normaliseRow(row: AgentRow, policy: CampaignPolicy): RowUpdate {
  const lead = leadOf(row, policy.defaultRegion);
  const values: CellChange[] = [];
  let notes = row.notes;
  for (let i = 0; i < MAX_NUMBERS; i++) {
    const kind = lead.kinds[i];
    if (kind !== 'INVALID' && kind !== 'DUPLICATE') continue;
    if (!OPEN_STATUSES.has(lead.statuses[i] as PhoneStatus)) continue;
    if (kind === 'INVALID') {
      values.push({ column: statusColumn(i + 1), value: 'WRONG' });
      notes = appendNote(notes, `Num${i + 1}: not a valid phone number (marked WRONG, never dialed)`);
    } else {
      values.push({ column: statusColumn(i + 1), value: 'SKIPPED' });
      notes = appendNote(notes, `Num${i + 1}: same number as Num${lead.duplicateOf[i]} (marked SKIPPED)`);
    }
  }
  if (values.length === 0) return { changes: { values: [], formats: [] }, row };
  values.push({ column: 'Notes', value: notes });
  const changes = onlyChanged(row, { values, formats: [] });
  return { changes, row: applyChanges(row, changes) };
}

/** normaliseRow over a sheet: only the rows that need a write. */
export function normaliseRows(rows: readonly AgentRow[], policy: CampaignPolicy): RowUpdate[] {
  const updates: RowUpdate[] = [];
  for (const row of rows) {
    const update = normaliseRow(row, policy);
    if (update.changes.values.length > 0) updates.push(update);
  }
  return updates;
}
