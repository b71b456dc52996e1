import { type AgentRow, MAX_NUMBERS } from '../../src/policy/policy.types.js';

export interface RowSpec {
  rowIndex?: number;
  rowId?: string;
  name?: string;
  numbers?: string[];
  statuses?: string[];
  notes?: string;
  lastOutcome?: string;
  attemptCount?: string | number;
  nextIndex?: string | number;
  lastCalledAt?: string | Date;
  timezone?: string;
  extra?: Record<string, string>;
}

const pad = (values: string[] = []): readonly string[] => Object.freeze(Array.from({ length: MAX_NUMBERS }, (_, i) => values[i] ?? ''));

/** An agent-sheet row with sensible defaults: one New York number, never called. */
export function agentRow(spec: RowSpec = {}): AgentRow {
  return {
    rowIndex: spec.rowIndex ?? 2,
    rowId: spec.rowId ?? 'R1',
    name: spec.name ?? 'Ada Lovelace',
    numbers: pad(spec.numbers ?? [NY]),
    statuses: pad(spec.statuses),
    notes: spec.notes ?? '',
    lastOutcome: spec.lastOutcome ?? '',
    attemptCount: String(spec.attemptCount ?? ''),
    nextIndex: String(spec.nextIndex ?? ''),
    lastCalledAt: spec.lastCalledAt instanceof Date ? spec.lastCalledAt.toISOString() : (spec.lastCalledAt ?? ''),
    timezone: spec.timezone ?? '',
    extra: spec.extra ?? {},
  };
}

/** Rows numbered from sheet row 2 with RowIDs R1, R2, … unless given. */
export function agentRows(specs: RowSpec[]): AgentRow[] {
  return specs.map((s, i) => agentRow({ rowIndex: i + 2, rowId: `R${i + 1}`, ...s }));
}

// Valid numbers (libphonenumber full metadata) with known area-code zones.
export const NY = '+12125550123'; // America/New_York
export const NY2 = '+12125550188';
export const CHICAGO = '+13125550100'; // America/Chicago
export const DENVER = '+13035550100'; // America/Denver
export const LA = '+13105550123'; // America/Los_Angeles
export const HONOLULU = '+18085550100'; // Pacific/Honolulu
export const SOUTH_DAKOTA = '+16055550100'; // America/Denver + America/North_Dakota/Center
export const TOLL_FREE = '+18005550100'; // no zone: the campaign's applies
