import { type AgentRow, type CellChange, MAX_NUMBERS, type RowChanges } from './policy.types.js';

/** A proposed change set, with unchanged cells dropped (only what differs is written). */
export function onlyChanged(row: AgentRow, changes: RowChanges): RowChanges {
  return { values: changes.values.filter((c) => cellText(row, c.column) !== String(c.value)), formats: changes.formats };
}

/** The row as it reads after `changes`: a new object, its arrays frozen. */
export function applyChanges(row: AgentRow, changes: RowChanges): AgentRow {
  const numbers = [...row.numbers];
  const statuses = [...row.statuses];
  const next: { -readonly [K in keyof AgentRow]: AgentRow[K] } = { ...row, numbers, statuses };
  for (const c of changes.values) setCell(next, numbers, statuses, c);
  Object.freeze(numbers);
  Object.freeze(statuses);
  return next;
}

/** A cell's current text by column name ('' when the column is unknown). */
export function cellText(row: AgentRow, column: string): string {
  const indexed = /^(Num|Status)(\d+)$/.exec(column);
  if (indexed) {
    const i = Number(indexed[2]) - 1;
    return (indexed[1] === 'Num' ? row.numbers[i] : row.statuses[i]) ?? '';
  }
  switch (column) {
    case 'RowID':
      return row.rowId;
    case 'Name':
      return row.name;
    case 'Notes':
      return row.notes;
    case 'LastOutcome':
      return row.lastOutcome;
    case 'AttemptCount':
      return row.attemptCount;
    case 'NextIndex':
      return row.nextIndex;
    case 'LastCalledAt':
      return row.lastCalledAt;
    case 'Timezone':
      return row.timezone;
    default:
      return row.extra[column] ?? '';
  }
}

function setCell(
  next: { -readonly [K in keyof AgentRow]: AgentRow[K] },
  numbers: string[],
  statuses: string[],
  c: CellChange,
): void {
  const text = String(c.value);
  const indexed = /^(Num|Status)(\d+)$/.exec(c.column);
  if (indexed) {
    const i = Number(indexed[2]) - 1;
    if (i >= 0 && i < MAX_NUMBERS) (indexed[1] === 'Num' ? numbers : statuses)[i] = text;
    return;
  }
  switch (c.column) {
    case 'Notes':
      next.notes = text;
      break;
    case 'LastOutcome':
      next.lastOutcome = text;
      break;
    case 'AttemptCount':
      next.attemptCount = text;
      break;
    case 'NextIndex':
      next.nextIndex = text;
      break;
    case 'LastCalledAt':
      next.lastCalledAt = text;
      break;
    case 'Timezone':
      next.timezone = text;
      break;
    case 'Name':
      next.name = text;
      break;
    case 'RowID':
      next.rowId = text;
      break;
  }
}

const NOTES_LIMIT = 50_000; // a Sheets cell holds at most 50,000 characters

/** Notes with `line` appended; the oldest text is dropped if the cell would overflow. */
export function appendNote(notes: string, line: string): string {
  const joined = notes.trim() === '' ? line : `${notes.replace(/\s+$/, '')}\n${line}`;
  return joined.length <= NOTES_LIMIT ? joined : joined.slice(joined.length - NOTES_LIMIT);
}
