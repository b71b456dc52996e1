import { Injectable } from '@nestjs/common';
import type { AppId } from '../../common/app-id.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { AgentRow, RowChanges } from '../../policy/policy.types.js';
import { applyChanges, onlyChanged } from '../../policy/row-changes.js';
import { leadGone } from './lead-writer.js';
import type { RouterEntry } from './sheet-layout.js';
import { type SheetRef, SheetReader } from './sheet-reader.js';
import type { AgentSheet } from './sheets-cache.js';
import { SheetsMetrics } from './sheets-metrics.js';
import { SheetsOutboxRepository } from './sheets-outbox.repository.js';
import { SheetsOutboxWorker } from './sheets-outbox.worker.js';

/** One lead to write: addressed by RowID; `rowIndex` is where we last saw it (a hint, verified when the queue is flushed). */
export interface LeadWrite {
  rowId: string;
  rowIndex?: number;
  /** the cells to set, or a function of the row as the dialer sees it now (the sheet as read, with every queued write on top) */
  changes: RowChanges | ((current: AgentRow) => RowChanges);
}

/** A lead queued: where, the exact changes, and the row as it will read once written. */
export interface LeadResult {
  rowId: string;
  rowIndex: number;
  changes: RowChanges;
  row: AgentRow;
}

export interface LeadWriteResult {
  /** durable in the queue: the flusher writes it to Google (in order, never dropped) */
  status: 'queued';
  leads: LeadResult[];
  /** outbox ids (none when nothing changes) */
  outboxIds: string[];
}

/**
 * The dialer's Google Sheets (docs/architecture.md, "Sheets"), behind a class we own.
 *
 * Reads: router and agent tabs by header name (any order, extra columns kept),
 * one values.batchGet per read, cached per spreadsheet for
 * SHEETS_CACHE_TTL_SECONDS; a decision sees the cached tab with every write
 * still queued (or applied since the read, by any node) on top, so it never
 * sees a stale IN_PROGRESS or outcome. Writes: queued durably first (the
 * outbox is the queue), answered at once, and flushed by SheetsOutboxWorker:
 * one request per spreadsheet per interval for every agent's changes, by
 * RowID, within the Google user's budget (SheetsQuota).
 */
@Injectable()
export class SheetsGateway {
  constructor(
    private readonly reader: SheetReader,
    private readonly outbox: SheetsOutboxRepository,
    private readonly worker: SheetsOutboxWorker,
    private readonly metrics: SheetsMetrics,
  ) {}

  /** The router tab's rows. */
  readRouter(spreadsheetId: string, tab: string | number = 'Router', options: { refresh?: boolean } = {}): Promise<RouterEntry[]> {
    return this.reader.readRouter(spreadsheetId, tab, options);
  }

  /** The router row of an agent (e-mail, case-insensitive), active or not; null when absent. */
  async findRoute(spreadsheetId: string, tab: string | number, agentEmail: string, options: { refresh?: boolean } = {}): Promise<RouterEntry | null> {
    const email = agentEmail.trim().toLowerCase();
    const entries = await this.readRouter(spreadsheetId, tab, options);
    const mine = entries.filter((e) => e.agentEmail.toLowerCase() === email);
    return mine.find((e) => e.active) ?? mine[0] ?? null;
  }

  /**
   * An agent tab as the dialer must see it: validated header (a missing column
   * is named in a 400), rows top to bottom, from the cache unless `refresh`,
   * with the queued writes of every node applied on top.
   */
  async readAgentSheet(ref: SheetRef, options: { refresh?: boolean } = {}): Promise<AgentSheet> {
    const sheet = await this.reader.readAgentSheet(ref, options);
    const queued = await this.outbox.notYetRead(ref.spreadsheetId, new Date(sheet.readAt));
    const mine = queued.filter((q) => q.tab === String(ref.tab) || q.tab === String(sheet.sheetId) || q.tab === sheet.title);
    if (mine.length === 0) return sheet;
    const byRowId = new Map<string, RowChanges[]>();
    for (const q of mine) byRowId.set(q.rowId, [...(byRowId.get(q.rowId) ?? []), q.changes]);
    const rows = sheet.rows.map((row) => (byRowId.get(row.rowId) ?? []).reduce(applyChanges, row));
    return { ...sheet, rows };
  }

  /** Forgets what was read of a spreadsheet (or of all): the next read goes to Google. */
  refresh(spreadsheetId?: string): void {
    this.reader.cache.refresh(spreadsheetId);
  }

  /** Queues one lead's write (see writeLeads). */
  writeLead(appId: AppId, ref: SheetRef, lead: LeadWrite): Promise<LeadWriteResult> {
    return this.writeLeads(appId, ref, [lead]);
  }

  /**
   * Queues leads of one tab, durably and in order, and answers: the changes
   * are computed against the rows as the dialer sees them (a function gets
   * the row with every queued write applied), only cells that change are
   * kept, and the cached tab shows them at once. Throws NOT_FOUND
   * (reason LEAD_GONE) when a RowID is not in the tab, CONFLICT when it is
   * there twice.
   */
  async writeLeads(appId: AppId, ref: SheetRef, leads: LeadWrite[]): Promise<LeadWriteResult> {
    if (leads.length === 0) return { status: 'queued', leads: [], outboxIds: [] };
    const sheet = await this.readAgentSheet(ref);
    const planned: LeadResult[] = [];
    const working = new Map<string, AgentRow>();
    for (const lead of leads) {
      const row = working.get(lead.rowId) ?? findUnique(sheet, lead.rowId);
      const proposed = typeof lead.changes === 'function' ? lead.changes(row) : lead.changes;
      const changes = onlyChanged(row, proposed);
      const after = applyChanges(row, changes);
      working.set(lead.rowId, after);
      planned.push({ rowId: lead.rowId, rowIndex: row.rowIndex, changes, row: after });
    }
    const changed = planned.filter((p) => p.changes.values.length > 0 || p.changes.formats.length > 0);
    const ids = await this.outbox.enqueue(
      appId,
      changed.map((p) => ({
        spreadsheetId: ref.spreadsheetId,
        tab: String(ref.tab),
        rowId: p.rowId,
        rowIndexHint: p.rowIndex,
        changes: p.changes,
        reason: 'queued',
        delayMs: 0,
      })),
    );
    this.reader.cache.patchRows(ref.spreadsheetId, sheet.sheetId, changed.map((p) => p.row));
    this.metrics.writes.inc({ result: 'queued' }, changed.length);
    if (ids.length > 0) this.worker.wake();
    return { status: 'queued', leads: planned, outboxIds: ids };
  }

  /** Whether writes to this spreadsheet are still waiting in the queue. */
  pendingWrites(spreadsheetId: string): Promise<boolean> {
    return this.outbox.hasPending(spreadsheetId);
  }
}

function findUnique(sheet: AgentSheet, rowId: string): AgentRow {
  const matches = sheet.rows.filter((r) => r.rowId === rowId);
  if (matches.length === 0) throw leadGone(rowId, sheet);
  if (matches.length > 1) {
    throw new DomainError('CONFLICT', `RowID ${rowId} appears ${matches.length} times in agent sheet "${sheet.title}": a write could land on the wrong lead`);
  }
  return matches[0]!;
}
