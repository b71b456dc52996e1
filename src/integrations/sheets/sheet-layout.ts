import { type AgentRow, MAX_NUMBERS } from '../../policy/policy.types.js';

/** Router sheet columns (docs/architecture.md, "Sheets"), found by header name. */
export const ROUTER_COLUMNS = ['AgentEmail', 'DialpadUserID', 'SpreadsheetId', 'TabId', 'CampaignName', 'Active'] as const;

const numbered = (prefix: string) => Array.from({ length: MAX_NUMBERS }, (_, i) => `${prefix}${i + 1}`);
/** Agent sheet columns every sheet must have. */
export const AGENT_REQUIRED_COLUMNS: readonly string[] = [
  'RowID',
  'Name',
  ...numbered('Num'),
  ...numbered('Status'),
  'Notes',
  'LastOutcome',
  'AttemptCount',
  'NextIndex',
];
/** Read when present; the dialer adds LastCalledAt to the header when it is missing. */
export const AGENT_OPTIONAL_COLUMNS: readonly string[] = ['LastCalledAt', 'Timezone'];

/** Where each known column is (0-based), and the columns we do not know (kept, never written). */
export interface Layout {
  readonly columns: ReadonlyMap<string, number>;
  readonly extras: readonly { readonly name: string; readonly index: number }[];
  /** 0-based index after the last non-empty header cell */
  readonly width: number;
}

export interface LayoutProblems {
  missing: string[];
  duplicates: string[];
}

/** "Num 1", "num1", "NUM_1" all name Num1: headers are matched without case, spaces, "_" or "-". */
export function headerKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

/** Maps a header row to the known columns (any order). Problems name what is missing or duplicated. */
export function mapHeader(
  header: readonly string[],
  required: readonly string[],
  optional: readonly string[] = [],
): { layout: Layout; problems: LayoutProblems | null } {
  const canonical = new Map([...required, ...optional].map((name) => [headerKey(name), name]));
  const columns = new Map<string, number>();
  const extras: { name: string; index: number }[] = [];
  const duplicates: string[] = [];
  let width = 0;
  header.forEach((cell, index) => {
    const text = cell.trim();
    if (text === '') return;
    width = index + 1;
    const name = canonical.get(headerKey(text));
    if (name === undefined) extras.push({ name: text, index });
    else if (columns.has(name)) duplicates.push(name);
    else columns.set(name, index);
  });
  const missing = required.filter((name) => !columns.has(name));
  const problems = missing.length > 0 || duplicates.length > 0 ? { missing, duplicates } : null;
  return { layout: { columns, extras, width }, problems };
}

/** "is missing columns Num1, Status1; has Notes twice" */
export function describeProblems(problems: LayoutProblems): string {
  const parts: string[] = [];
  if (problems.missing.length > 0) parts.push(`is missing column${problems.missing.length > 1 ? 's' : ''} ${problems.missing.join(', ')}`);
  if (problems.duplicates.length > 0) parts.push(`has ${problems.duplicates.map((d) => `${d} twice`).join(', ')}`);
  return parts.join('; ');
}

/** A cell value from the API (unformatted: string, number or boolean) as text. */
export function cellString(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

/** One agent-sheet row → AgentRow (frozen arrays); null when the row is blank. */
export function toAgentRow(layout: Layout, cells: readonly unknown[], rowIndex: number): AgentRow | null {
  if (!cells.some((c) => cellString(c).trim() !== '')) return null;
  const get = (name: string): string => {
    const i = layout.columns.get(name);
    return i === undefined ? '' : cellString(cells[i]);
  };
  const extra: Record<string, string> = {};
  for (const e of layout.extras) extra[e.name] = cellString(cells[e.index]);
  return {
    rowIndex,
    rowId: get('RowID').trim(),
    name: get('Name'),
    numbers: Object.freeze(numbered('Num').map(get)),
    statuses: Object.freeze(numbered('Status').map(get)),
    notes: get('Notes'),
    lastOutcome: get('LastOutcome'),
    attemptCount: get('AttemptCount'),
    nextIndex: get('NextIndex'),
    lastCalledAt: get('LastCalledAt'),
    timezone: get('Timezone'),
    extra,
  };
}

/** One row of the router sheet. */
export interface RouterEntry {
  rowIndex: number;
  agentEmail: string;
  dialpadUserId: string;
  spreadsheetId: string;
  /** the agent tab's numeric sheetId (the URL's gid), or its title */
  tabId: string;
  campaignName: string;
  active: boolean;
  extra: Record<string, string>;
}

const TRUE = new Set(['true', 'yes', 'y', '1', 'active', 'on', 'x', '✓']);

export function toRouterEntry(layout: Layout, cells: readonly unknown[], rowIndex: number): RouterEntry | null {
  if (!cells.some((c) => cellString(c).trim() !== '')) return null;
  const get = (name: string): string => {
    const i = layout.columns.get(name);
    return i === undefined ? '' : cellString(cells[i]).trim();
  };
  const extra: Record<string, string> = {};
  for (const e of layout.extras) extra[e.name] = cellString(cells[e.index]);
  return {
    rowIndex,
    agentEmail: get('AgentEmail'),
    dialpadUserId: get('DialpadUserID'),
    spreadsheetId: get('SpreadsheetId'),
    tabId: get('TabId'),
    campaignName: get('CampaignName'),
    active: TRUE.has(get('Active').toLowerCase()),
    extra,
  };
}
