import { Injectable, Logger } from '@nestjs/common';
import type { sheets_v4 } from '@googleapis/sheets';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../infra/config/app-config.js';
import type { AgentColumn, AgentRow, RowChanges } from '../../policy/policy.types.js';
import { applyChanges, cellText } from '../../policy/row-changes.js';
import { columnLetters, hexToColor, quoteTitle } from './a1.js';
import { headerKey, type Layout } from './sheet-layout.js';
import { SheetReader } from './sheet-reader.js';
import { type EchoedRange, SheetsApi, type TabInfo } from './sheets-api.js';
import type { AgentSheet } from './sheets-cache.js';
import { SheetsApiError, toDomainError } from './sheets-errors.js';

/** DomainError details.reason of a write whose lead (RowID) is no longer in the tab. */
export const LEAD_GONE = 'LEAD_GONE';

/** Columns the dialer writes as numbers. */
const COUNTS = new Set(['AttemptCount', 'NextIndex']);

/** One queued write: the exact cells of one lead, addressed by RowID; `rowIndexHint` is where it was last seen. */
export interface QueuedWrite {
  id: string;
  tab: string;
  rowId: string;
  rowIndexHint: number | null;
  changes: RowChanges;
}

export interface FlushOutcome {
  /** applied, in the one request */
  written: string[];
  /**
   * applied, but not onto its lead's cells: the rows or columns moved (a sort, an insert) after the positions
   * were read. Google's echo of the header and the RowID column shows it; the write goes again, found where
   * the lead is now.
   */
  misplaced: { id: string; error: Error }[];
  /**
   * what puts back the cells a misplaced write changed on the lead now in that row (its values before, as last
   * read); `cause`: the id of the (first) misplaced write that hit it, whose tenant queues the restore
   */
  restores: { cause: string; tab: string; rowId: string; rowIndexHint: number; changes: RowChanges }[];
  /** cannot be applied, ever (the lead is gone): kept as dead with the reason */
  gone: { id: string; error: DomainError }[];
  /** refused for now by the sheet (a lost column, a RowID twice): tried again later */
  refused: { id: string; error: Error }[];
  /** HTTP calls made: reads to find the rows, the one write */
  requests: { reads: number; writes: number };
}

interface Located {
  tab: TabInfo;
  layout: Layout;
  row: AgentRow;
}

/**
 * Applies a spreadsheet's queued writes in one spreadsheets.batchUpdate,
 * each lead found by RowID where it is (people sort and insert): in this
 * node's copy of the tab when its positions are at most
 * SHEETS_ROW_POSITIONS_MAX_AGE_MS old (read then, or confirmed by a write's
 * echo since), else in a read of every tab with writes in one values.batchGet
 * (which also refreshes the dialer's cached copy). Then every value
 * (updateCells) and colour (repeatCell) of every write goes in one request, in
 * queue order, so Google applies them atomically and a later write to a cell
 * wins; Google echoes each written tab's header and RowID column with its
 * answer, and `verify` checks every write against it. One flush per
 * spreadsheet at a time on this node.
 */
@Injectable()
export class LeadWriter {
  private readonly logger = new Logger('Sheets');
  private readonly queues = new Map<string, Promise<unknown>>();

  private readonly positionsMaxAgeMs: number;

  constructor(
    private readonly api: SheetsApi,
    private readonly reader: SheetReader,
    config: AppConfig,
  ) {
    this.positionsMaxAgeMs = config.SHEETS_ROW_POSITIONS_MAX_AGE_MS;
  }

  /** Whether a flush of tabs read this long ago reads them first (the flusher takes that read's slot of the budget ahead). */
  get readsFirst(): boolean {
    return this.positionsMaxAgeMs <= 0;
  }

  /** `slotsTaken`: the caller already took the slots of the Google user's budget for the write (and the read, when `readsFirst`). */
  flush(spreadsheetId: string, writes: QueuedWrite[], options: { slotsTaken?: boolean } = {}): Promise<FlushOutcome> {
    return this.serialized(spreadsheetId, () => this.flushNow(spreadsheetId, writes, options.slotsTaken === true));
  }

  private async flushNow(spreadsheetId: string, writes: QueuedWrite[], slotsTaken: boolean): Promise<FlushOutcome> {
    const outcome: FlushOutcome = { written: [], misplaced: [], restores: [], gone: [], refused: [], requests: { reads: 0, writes: 0 } };
    const { located, sheets } = await this.locate(spreadsheetId, writes, outcome, slotsTaken && this.readsFirst);
    const requests: sheets_v4.Schema$Request[] = [];
    const widened = new Map<number, { tab: TabInfo; layout: Layout }>();
    const applied: { write: QueuedWrite; at: Located }[] = [];
    for (const write of writes) {
      const at = located.get(write.id);
      if (!at) continue;
      let layout = widened.get(at.tab.sheetId)?.layout ?? at.layout;
      const own: sheets_v4.Schema$Request[] = [];
      const missing = write.changes.values.find((c) => c.column !== 'LastCalledAt' && !layout.columns.has(c.column));
      if (missing) {
        outcome.refused.push({ id: write.id, error: new DomainError('INVALID_INPUT', `Agent sheet "${at.tab.title}" has no ${missing.column} column`) });
        continue;
      }
      for (const c of write.changes.values) {
        let column = layout.columns.get(c.column);
        if (column === undefined) {
          // the header lost LastCalledAt since it was read: add it in this same request
          column = layout.width;
          layout = { ...layout, columns: new Map([...layout.columns, ['LastCalledAt', column]]), width: column + 1 };
          widened.set(at.tab.sheetId, { tab: at.tab, layout });
          own.push(cellValue(at.tab.sheetId, 1, column, 'LastCalledAt'));
        }
        own.push(cellValue(at.tab.sheetId, at.row.rowIndex, column, c.value));
      }
      for (const f of write.changes.formats) {
        const column = layout.columns.get(f.column);
        if (column !== undefined) own.push(cellColour(at.tab.sheetId, at.row.rowIndex, column, f.backgroundColor));
      }
      requests.push(...own);
      applied.push({ write, at });
    }
    // a grid narrower than the new column grows first, in the same request
    const grow = [...widened.values()]
      .filter(({ tab, layout }) => layout.width > tab.columnCount)
      .map(({ tab, layout }) => ({ appendDimension: { sheetId: tab.sheetId, dimension: 'COLUMNS', length: layout.width - tab.columnCount } }));
    let echoes = new Map<number, EchoedRange[]>();
    if (requests.length > 0) {
      outcome.requests.writes++;
      // Google sends back each written tab's header and RowID column as they are after the write: proof that
      // every write landed on its lead's cells, and the tab's positions as of now for the next flush
      const echo = [...new Map(applied.map(({ at }) => [at.tab.sheetId, echoRanges(at)])).values()].flat();
      try {
        echoes = await this.api.batchUpdate(spreadsheetId, [...grow, ...requests], 'write', { slotTaken: slotsTaken, echo });
      } catch (err) {
        throw toDomainError(err, `spreadsheet ${spreadsheetId}`);
      }
      for (const { tab, layout } of widened.values()) tab.columnCount = Math.max(tab.columnCount, layout.width);
    }
    const layouts = new Map([...widened].map(([sheetId, w]) => [sheetId, w.layout]));
    const landed = this.verify(spreadsheetId, applied, sheets, echoes, layouts, outcome);
    for (const { write } of landed) outcome.written.push(write.id);
    this.patchCache(spreadsheetId, landed, widened);
    return outcome;
  }

  /**
   * Checks every applied write against Google's echo of its tab (the header row and the RowID column as
   * they are after the write). A write whose row holds another lead now, or whose columns moved (rows
   * sorted, inserted or deleted, columns inserted, since the positions were read) is reported misplaced,
   * with restores of the cells it changed that belong to other leads or columns: their values in the copy.
   * A cell no copy knows (a lead or a column added since) is logged for a person. A tab whose rows and
   * columns all sit where the copy has them counts as positioned now; one that moved is forgotten (the
   * next flush and decision read it again). Returns the writes that landed where they were meant to.
   */
  private verify(
    spreadsheetId: string,
    applied: { write: QueuedWrite; at: Located }[],
    sheets: Map<number, AgentSheet>,
    echoes: Map<number, EchoedRange[]>,
    layouts: Map<number, Layout>,
    outcome: FlushOutcome,
  ): { write: QueuedWrite; at: Located }[] {
    const landed: { write: QueuedWrite; at: Located }[] = [];
    const restores: FlushOutcome['restores'] = [];
    const now = Date.now();
    for (const [sheetId, sheet] of sheets) {
      const mine = applied.filter(({ at }) => at.tab.sheetId === sheetId);
      const echo = echoOf(echoes.get(sheetId));
      if (!echo) {
        landed.push(...mine); // nothing written to this tab, or no echo: nothing to check
        continue;
      }
      const layout = layouts.get(sheetId) ?? sheet.layout;
      const columnAt = (index: number): string | null => {
        const key = headerKey(echo.header[index] ?? '');
        return key === '' ? null : ([...layout.columns.keys()].find((name) => headerKey(name) === key) ?? null);
      };
      const columnsKept = [...layout.columns].every(([name, index]) => columnAt(index) === name);
      const rowsKept = sheet.rows.every((r) => echo.rowIdAt(r.rowIndex) === r.rowId);
      // cells of other leads (or other columns) a misplaced write hit, by lead
      const hit = new Map<string, { cause: string; owner: AgentRow; rowIndex: number; tab: string; columns: Set<AgentColumn> }>();
      for (const item of mine) {
        const { write, at } = item;
        const there = echo.rowIdAt(at.row.rowIndex);
        const cells = write.changes.values.map((c) => ({ column: c.column, index: layout.columns.get(c.column)! }));
        if (there === write.rowId && cells.every((c) => columnAt(c.index) === c.column)) {
          landed.push(item);
          continue;
        }
        outcome.misplaced.push({
          id: write.id,
          error: new DomainError('CONFLICT', `Lead ${write.rowId}'s cells were no longer where "${sheet.title}" had them when read (rows or columns moved): written again where they are now`),
        });
        const owner = sheet.rows.filter((r) => r.rowId === there);
        for (const cell of cells) {
          const column = columnAt(cell.index);
          if (there === write.rowId && column === cell.column) continue; // this cell did land right
          const knownColumn = column !== null && sheet.layout.columns.has(column);
          if (there === '' || owner.length !== 1 || !knownColumn) {
            this.logger.error(
              { spreadsheet_id: spreadsheetId, tab: sheet.title, cell: `${columnLetters(cell.index)}${at.row.rowIndex}`, lead: there || null },
              `a write meant for lead ${write.rowId} (${cell.column}) landed on a cell last read holding another value, unknown now: check it by hand`,
            );
            continue;
          }
          let lead = hit.get(there);
          if (!lead) {
            lead = { cause: write.id, owner: owner[0]!, rowIndex: at.row.rowIndex, tab: write.tab, columns: new Set<AgentColumn>() };
            hit.set(there, lead);
          }
          lead.columns.add(column as AgentColumn);
        }
        this.logger.warn(
          { spreadsheet_id: spreadsheetId, tab: sheet.title, row: at.row.rowIndex, lead: there || null },
          `a write meant for lead ${write.rowId} landed elsewhere (rows or columns moved since they were read): the cells it hit are put back and it goes again; colours it set stay`,
        );
      }
      // what each hit lead's cells should hold: its last read, with its own writes of this flush that landed
      for (const [rowId, { cause, owner, rowIndex, tab, columns }] of hit) {
        const meant = landed.filter(({ write, at }) => write.rowId === rowId && at.tab.sheetId === sheetId).reduce((row, { write }) => applyChanges(row, write.changes), owner);
        const values = [...columns].map((column) => {
          const text = cellText(meant, column);
          return { column, value: COUNTS.has(column) && /^\d+$/.test(text) ? Number(text) : text }; // counts stay numbers
        });
        restores.push({ cause, tab, rowId, rowIndexHint: rowIndex, changes: { values, formats: [] } });
      }
      if (rowsKept && columnsKept) this.reader.cache.confirmPositions(sheet, now);
      else {
        this.reader.cache.forgetTab(spreadsheetId, sheetId);
        this.reader.markMoved(spreadsheetId, sheetId);
      }
    }
    outcome.restores.push(...restores);
    return landed;
  }

  /** Where each write's lead is now; writes whose lead is gone or ambiguous are reported in `outcome`. */
  private async locate(
    spreadsheetId: string,
    writes: QueuedWrite[],
    outcome: FlushOutcome,
    readSlotTaken: boolean,
  ): Promise<{ located: Map<string, Located>; sheets: Map<number, AgentSheet> }> {
    const tabs = new Map<string, TabInfo>();
    for (const name of new Set(writes.map((w) => w.tab))) {
      try {
        tabs.set(name, await this.reader.resolveTab(spreadsheetId, name, 'write'));
      } catch (err) {
        if (!(err instanceof DomainError) || err.code !== 'NOT_FOUND') throw err;
        for (const w of writes.filter((x) => x.tab === name)) outcome.refused.push({ id: w.id, error: err });
      }
    }
    const pending = writes.filter((w) => tabs.has(w.tab));
    const located = new Map<string, Located>();
    const found = new Map<number, AgentSheet>();
    if (pending.length === 0) return { located, sheets: found };
    // every tab with writes, whole, in one values.batchGet: where each lead is now (people sort and insert),
    // and a fresh copy for the dialer's decisions as well
    const uniqueTabs = [...new Map([...tabs.values()].map((t) => [t.sheetId, t])).values()];
    let sheets: Map<number, AgentSheet | DomainError> | null = await this.recentlyRead(spreadsheetId, uniqueTabs);
    if (!sheets) outcome.requests.reads++;
    try {
      sheets ??= await this.reader.readAgentTabs(spreadsheetId, uniqueTabs, 'write', { slotTaken: readSlotTaken });
    } catch (err) {
      if (!(err instanceof SheetsApiError) || err.status !== 400) throw toDomainError(err, `spreadsheet ${spreadsheetId}`);
      // a tab renamed since its title was cached: tab by tab, each looked up again
      sheets = new Map();
      for (const tab of uniqueTabs) {
        outcome.requests.reads++;
        const name = [...tabs.entries()].find(([, t]) => t.sheetId === tab.sheetId)![0];
        try {
          sheets.set(tab.sheetId, await this.reader.readAgentSheet({ spreadsheetId, tab: name }, { refresh: true, purpose: 'write' }));
        } catch (tabErr) {
          if (!(tabErr instanceof DomainError) || (tabErr.code !== 'INVALID_INPUT' && tabErr.code !== 'NOT_FOUND')) throw tabErr;
          sheets.set(tab.sheetId, tabErr);
        }
      }
    }
    for (const w of pending) {
      const tab = tabs.get(w.tab)!;
      const sheet = sheets.get(tab.sheetId);
      if (!sheet || sheet instanceof DomainError) {
        outcome.refused.push({ id: w.id, error: sheet ?? new DomainError('NOT_FOUND', `Tab "${w.tab}" was not read`) });
        continue;
      }
      found.set(tab.sheetId, sheet);
      const matches = sheet.rows.filter((r) => r.rowId === w.rowId);
      if (matches.length === 1) located.set(w.id, { tab, layout: sheet.layout, row: matches[0]! });
      else if (matches.length === 0) outcome.gone.push({ id: w.id, error: leadGone(w.rowId, sheet) });
      else {
        outcome.refused.push({
          id: w.id,
          error: new DomainError('CONFLICT', `RowID ${w.rowId} appears ${matches.length} times in agent sheet "${sheet.title}": a write could land on the wrong lead`),
        });
      }
    }
    return { located, sheets: found };
  }

  /**
   * Every tab's copy as this node read it at most SHEETS_ROW_POSITIONS_MAX_AGE_MS ago (row positions
   * as Google had them then), or null when one is older or missing: the flush reads them all first.
   */
  private async recentlyRead(spreadsheetId: string, tabs: readonly TabInfo[]): Promise<Map<number, AgentSheet> | null> {
    if (this.positionsMaxAgeMs <= 0) return null;
    // first by age alone (a map lookup): a copy too old needs no round trip for movedAt
    if (tabs.some((tab) => !this.reader.cache.positionsOf(spreadsheetId, tab.sheetId, this.positionsMaxAgeMs))) return null;
    // rows another node's write found moved since this copy was read: its positions are not to be used either
    const moved = await this.reader.movedAt(spreadsheetId, tabs.map((t) => t.sheetId));
    const sheets = new Map<number, AgentSheet>();
    for (const tab of tabs) {
      const sheet = this.reader.cache.positionsOf(spreadsheetId, tab.sheetId, this.positionsMaxAgeMs, moved.get(tab.sheetId) ?? 0);
      if (!sheet || sheet.title !== tab.title) return null;
      sheets.set(tab.sheetId, sheet);
    }
    return sheets;
  }

  /** The cached tabs show what was just written (a tab whose header grew is read again next time). */
  private patchCache(spreadsheetId: string, applied: { write: QueuedWrite; at: Located }[], widened: Map<number, unknown>): void {
    const rows = new Map<number, Map<string, AgentRow>>();
    for (const { write, at } of applied) {
      if (widened.has(at.tab.sheetId)) continue;
      const tabRows = rows.get(at.tab.sheetId) ?? new Map<string, AgentRow>();
      rows.set(at.tab.sheetId, tabRows);
      const key = `${at.row.rowIndex}\u0000${at.row.rowId}`;
      tabRows.set(key, applyChanges(tabRows.get(key) ?? at.row, write.changes));
    }
    for (const sheetId of widened.keys()) this.reader.cache.forgetTab(spreadsheetId, sheetId);
    for (const [sheetId, updated] of rows) this.reader.cache.patchRows(spreadsheetId, sheetId, [...updated.values()]);
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

export function leadGone(rowId: string, sheet: Pick<AgentSheet, 'title' | 'spreadsheetId'>): DomainError {
  return new DomainError('NOT_FOUND', `Lead ${rowId} is no longer in agent sheet "${sheet.title}" (spreadsheet ${sheet.spreadsheetId})`, { reason: LEAD_GONE });
}

/** What a write asks Google to echo of a tab: its header row and its RowID column below it ('Tab'!1:1, 'Tab'!C2:C). */
function echoRanges(at: Located): string[] {
  const letters = columnLetters(at.layout.columns.get('RowID')!);
  return [`${quoteTitle(at.tab.title)}!1:1`, `${quoteTitle(at.tab.title)}!${letters}2:${letters}`];
}

/** A tab's echo read back: the header row, and the RowID in each row (1-based, '' for none); null without both. */
function echoOf(ranges: EchoedRange[] | undefined): { header: string[]; rowIdAt: (rowIndex: number) => string } | null {
  const header = ranges?.find((r) => r.startRow === 0);
  const ids = ranges?.find((r) => r.startRow === 1);
  if (!header || !ids) return null;
  return { header: header.rows[0] ?? [], rowIdAt: (rowIndex) => ids.rows[rowIndex - 2]?.[0] ?? '' };
}

/** One cell's value, as RAW input would keep it (text stays text: phone numbers, ISO times). */
function cellValue(sheetId: number, rowIndex: number, column: number, value: string | number): sheets_v4.Schema$Request {
  return {
    updateCells: {
      start: { sheetId, rowIndex: rowIndex - 1, columnIndex: column },
      rows: [{ values: [{ userEnteredValue: typeof value === 'number' ? { numberValue: value } : { stringValue: value } }] }],
      fields: 'userEnteredValue',
    },
  };
}

function cellColour(sheetId: number, rowIndex: number, column: number, hex: string): sheets_v4.Schema$Request {
  return {
    repeatCell: {
      range: { sheetId, startRowIndex: rowIndex - 1, endRowIndex: rowIndex, startColumnIndex: column, endColumnIndex: column + 1 },
      cell: { userEnteredFormat: { backgroundColor: hexToColor(hex) } },
      fields: 'userEnteredFormat.backgroundColor',
    },
  };
}
