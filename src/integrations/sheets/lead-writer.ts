import { Injectable } from '@nestjs/common';
import type { sheets_v4 } from '@googleapis/sheets';
import { DomainError } from '../../common/errors/domain-error.js';
import type { AgentRow, RowChanges } from '../../policy/policy.types.js';
import { applyChanges, cellText } from '../../policy/row-changes.js';
import { cellA1, hexToColor, rowA1 } from './a1.js';
import { AGENT_OPTIONAL_COLUMNS, AGENT_REQUIRED_COLUMNS, cellString, describeProblems, type Layout, mapHeader, toAgentRow } from './sheet-layout.js';
import { type SheetRef, SheetReader } from './sheet-reader.js';
import { type CallPurpose, SheetsApi, type TabInfo } from './sheets-api.js';
import type { AgentSheet } from './sheets-cache.js';
import { toDomainError } from './sheets-errors.js';

/** DomainError details.reason of a write whose lead (RowID) is no longer in the tab. */
export const LEAD_GONE = 'LEAD_GONE';

/** One lead to write: addressed by RowID; `rowIndex` is where we last saw it (a hint, verified before writing). */
export interface LeadWrite {
  rowId: string;
  rowIndex?: number;
  /** the cells to set, or a function of the row as it is in the sheet right now */
  changes: RowChanges | ((current: AgentRow) => RowChanges);
}

export interface WrittenLead {
  rowId: string;
  /** where it was written */
  rowIndex: number;
  /** the changes as applied (a function's answer, minus cells that already held the value) */
  changes: RowChanges;
  /** the row after the write */
  row: AgentRow;
}

export interface WriteOutcome {
  leads: WrittenLead[];
  /** HTTP calls made: verify read, re-read on a move, values write, format write */
  requests: { reads: number; valueWrites: number; formatWrites: number };
}

/**
 * Writes leads by RowID, never to the wrong row: the cached position is
 * checked first (header and those rows in one values.batchGet); if a row there
 * no longer holds that RowID (people sort and insert), the tab is read again and
 * the lead re-targeted. Then one values.batchUpdate (RAW, only cells that
 * change) and at most one spreadsheets.batchUpdate (background colours).
 * Writes to one spreadsheet run one at a time on this node.
 */
@Injectable()
export class LeadWriter {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly api: SheetsApi,
    private readonly reader: SheetReader,
  ) {}

  write(ref: SheetRef, leads: LeadWrite[], purpose: CallPurpose = 'write'): Promise<WriteOutcome> {
    return this.serialized(ref.spreadsheetId, () => this.writeNow(ref, leads, purpose));
  }

  private async writeNow(ref: SheetRef, leads: LeadWrite[], purpose: CallPurpose): Promise<WriteOutcome> {
    const requests = { reads: 0, valueWrites: 0, formatWrites: 0 };
    const tab = await this.reader.resolveTab(ref.spreadsheetId, ref.tab, purpose);
    const located = await this.locate(ref, tab, leads, purpose, requests);

    const written: WrittenLead[] = [];
    const data: { range: string; values: unknown[][] }[] = [];
    const formats: sheets_v4.Schema$Request[] = [];
    let layout = located.layout;
    for (let k = 0; k < leads.length; k++) {
      const lead = leads[k]!;
      const current = located.rows[k]!;
      const proposed = typeof lead.changes === 'function' ? lead.changes(current) : lead.changes;
      const values = proposed.values.filter((c) => cellText(current, c.column) !== String(c.value));
      const changes: RowChanges = { values, formats: proposed.formats };
      for (const c of values) {
        let column = layout.columns.get(c.column);
        if (column === undefined) {
          if (c.column !== 'LastCalledAt') throw new DomainError('INVALID_INPUT', `Agent sheet "${tab.title}" has no ${c.column} column`);
          // the header lost LastCalledAt since it was read: add it in this same write
          column = layout.width;
          layout = { ...layout, columns: new Map([...layout.columns, ['LastCalledAt', column]]), width: column + 1 };
          data.push({ range: cellA1(tab.title, column, 1), values: [['LastCalledAt']] });
        }
        data.push({ range: cellA1(tab.title, column, current.rowIndex), values: [[c.value]] });
      }
      for (const f of proposed.formats) {
        const column = layout.columns.get(f.column);
        if (column === undefined) continue;
        formats.push({
          repeatCell: {
            range: { sheetId: tab.sheetId, startRowIndex: current.rowIndex - 1, endRowIndex: current.rowIndex, startColumnIndex: column, endColumnIndex: column + 1 },
            cell: { userEnteredFormat: { backgroundColor: hexToColor(f.backgroundColor) } },
            fields: 'userEnteredFormat.backgroundColor',
          },
        });
      }
      written.push({ rowId: lead.rowId, rowIndex: current.rowIndex, changes, row: applyChanges(current, changes) });
    }

    try {
      await this.reader.ensureColumns(ref.spreadsheetId, tab, layout.width, purpose);
      if (data.length > 0) {
        requests.valueWrites++;
        await this.api.updateValues(ref.spreadsheetId, data, purpose);
      }
      if (formats.length > 0) {
        requests.formatWrites++;
        await this.api.batchUpdate(ref.spreadsheetId, formats, purpose);
      }
    } catch (err) {
      throw Object.assign(toDomainError(err, `spreadsheet ${ref.spreadsheetId}`), { computed: written });
    }
    if (layout !== located.layout) this.reader.cache.forgetTab(ref.spreadsheetId, tab.sheetId);
    else this.reader.cache.patchRows(ref.spreadsheetId, tab.sheetId, written.map((w) => w.row));
    return { leads: written, requests };
  }

  /** The leads' rows as they are in the sheet now, at their current positions. */
  private async locate(
    ref: SheetRef,
    tab: TabInfo,
    leads: LeadWrite[],
    purpose: CallPurpose,
    requests: WriteOutcome['requests'],
  ): Promise<{ layout: Layout; rows: AgentRow[] }> {
    const hints = leads.map((l) => l.rowIndex ?? this.reader.cache.rowIndexOf(ref.spreadsheetId, tab.sheetId, l.rowId));
    if (hints.every((h): h is number => typeof h === 'number' && h >= 2)) {
      requests.reads++;
      let grids: unknown[][][];
      try {
        grids = await this.api.batchGet(ref.spreadsheetId, [rowA1(tab.title, 1), ...hints.map((h) => rowA1(tab.title, h))], purpose);
      } catch (err) {
        throw toDomainError(err, `spreadsheet ${ref.spreadsheetId}`);
      }
      const header = (grids[0]?.[0] ?? []).map(cellString);
      const { layout, problems } = mapHeader(header, AGENT_REQUIRED_COLUMNS, AGENT_OPTIONAL_COLUMNS);
      if (problems) throw new DomainError('INVALID_INPUT', `Agent sheet "${tab.title}" (spreadsheet ${ref.spreadsheetId}) ${describeProblems(problems)}`);
      const rows = hints.map((h, k) => toAgentRow(layout, grids[k + 1]?.[0] ?? [], h));
      if (rows.every((row, k) => row !== null && row.rowId === leads[k]!.rowId)) return { layout, rows: rows as AgentRow[] };
    }
    // moved, inserted above, sorted, or never seen: read the tab again and find each RowID
    requests.reads++;
    const sheet = await this.reader.readAgentSheet(ref, { refresh: true, purpose });
    return { layout: sheet.layout, rows: leads.map((l) => findUnique(sheet, l.rowId)) };
  }

  private serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, settled);
    // settled never rejects and the clean-up cannot throw: nothing to handle
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return next;
  }
}

function findUnique(sheet: AgentSheet, rowId: string): AgentRow {
  const matches = sheet.rows.filter((r) => r.rowId === rowId);
  if (matches.length === 0) {
    throw new DomainError('NOT_FOUND', `Lead ${rowId} is no longer in agent sheet "${sheet.title}" (spreadsheet ${sheet.spreadsheetId})`, { reason: LEAD_GONE });
  }
  if (matches.length > 1) {
    throw new DomainError('CONFLICT', `RowID ${rowId} appears ${matches.length} times in agent sheet "${sheet.title}": a write could land on the wrong lead`);
  }
  return matches[0]!;
}
