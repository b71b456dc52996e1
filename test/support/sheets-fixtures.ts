import type { CellValue } from '../../demo/fakes/fake-sheets.js';

/** An agent tab's header: the dialer's columns, shuffled, with an extra column, without LastCalledAt. */
export const AGENT_HEADER: string[] = [
  'Company',
  'Name',
  'RowID',
  ...Array.from({ length: 10 }, (_, i) => [`Num${i + 1}`, `Status${i + 1}`]).flat(),
  'NextIndex',
  'Notes',
  'AttemptCount',
  'LastOutcome',
  'Timezone',
];

export const ROUTER_HEADER = ['AgentEmail', 'DialpadUserID', 'SpreadsheetId', 'TabId', 'CampaignName', 'Active'];

export type LeadSpec = Record<string, CellValue>;

/** Rows of an agent tab: the header, then one row per lead (cells by column name). */
export function agentTab(leads: LeadSpec[], header: string[] = AGENT_HEADER): CellValue[][] {
  return [header, ...leads.map((lead) => header.map((h) => lead[h] ?? ''))];
}

/** A1 column letter of a header name in `header`. */
export function columnOf(header: readonly string[], name: string): string {
  const i = header.indexOf(name);
  if (i < 0) throw new Error(`no ${name} in header`);
  let n = i + 1;
  let s = '';
  while (n > 0) {
    s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** A lead's cells keyed by header name, read back from a fake tab's text grid. */
export function leadCells(grid: string[][], rowId: string): Record<string, string> {
  const header = grid[0] ?? [];
  const row = grid.slice(1).find((r) => r[header.indexOf('RowID')] === rowId);
  if (!row) throw new Error(`no row ${rowId}`);
  return Object.fromEntries(header.map((h, i) => [h, row[i] ?? '']));
}

// valid numbers with known zones (New York, Chicago)
export const PHONES = {
  ny1: '(212) 555-0101',
  ny2: '212-555-0102',
  chi: '+1 312 555 0103',
  ny4: '2125550104',
};
