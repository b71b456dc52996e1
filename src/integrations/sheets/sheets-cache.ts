import type { AgentRow } from '../../policy/policy.types.js';
import type { Layout, RouterEntry } from './sheet-layout.js';
import type { TabInfo } from './sheets-api.js';

/** An agent tab as read: where its columns are and its leads, top to bottom. */
export interface AgentSheet {
  readonly spreadsheetId: string;
  readonly sheetId: number;
  readonly title: string;
  readonly layout: Layout;
  readonly rows: readonly AgentRow[];
  /** epoch ms of the read */
  readonly readAt: number;
}

/** How long a spreadsheet's tab list is kept at least (it changes when people add, rename or delete tabs). */
export const TAB_LIST_TTL_MS = 10 * 60_000;

interface Entry<T> {
  value: T;
  at: number;
}

interface Book {
  tabs?: Entry<TabInfo[]>;
  /** `positionsAt`: when a write's echo last showed every row where this copy has it */
  agents: Map<number, Entry<AgentSheet> & { byRowId?: Map<string, number>; positionsAt?: number }>;
  routers: Map<number, Entry<RouterEntry[]>>;
}

/**
 * What this node last read of each spreadsheet (tab list, agent tabs, router
 * tabs), kept `ttlMs` (0: until refreshed). Writes patch the rows they changed,
 * so the next decision needs no read.
 */
export class SheetsCache {
  private readonly books = new Map<string, Book>();
  /** when a spreadsheet (key: its id) or one tab (id NUL sheetId) was last forgotten; '' for everything */
  private readonly forgotten = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * The spreadsheet's tab list. It outlives the rows' TTL (TAB_LIST_TTL_MS at
   * least): a tab renamed or deleted since is found out by the read that misses
   * it, and a tab not in the list makes the caller read the list again.
   */
  tabs(spreadsheetId: string): TabInfo[] | null {
    const entry = this.books.get(spreadsheetId)?.tabs;
    if (!entry) return null;
    if (this.ttlMs > 0 && this.clock() - entry.at > Math.max(this.ttlMs, TAB_LIST_TTL_MS)) return null;
    return entry.value;
  }

  setTabs(spreadsheetId: string, tabs: TabInfo[]): void {
    this.book(spreadsheetId).tabs = { value: tabs, at: this.clock() };
  }

  agentSheet(spreadsheetId: string, sheetId: number): AgentSheet | null {
    return this.fresh(this.books.get(spreadsheetId)?.agents.get(sheetId));
  }

  /** The cached tab past its time to live but no older than `maxAgeMs` (what a decision may use while a fresh read is on its way); null otherwise. */
  staleAgentSheet(spreadsheetId: string, sheetId: number, maxAgeMs: number): AgentSheet | null {
    const entry = this.books.get(spreadsheetId)?.agents.get(sheetId);
    if (!entry || this.clock() - entry.at > maxAgeMs) return null;
    return entry.value;
  }

  /**
   * The cached tab when its row positions are known to be at most `maxAgeMs` old (and no older than
   * `notBefore`, when the rows last moved): read then, or confirmed since by a write's echo of the RowID
   * column (`confirmPositions`). Its cells may be older.
   */
  positionsOf(spreadsheetId: string, sheetId: number, maxAgeMs: number, notBefore = 0): AgentSheet | null {
    const entry = this.books.get(spreadsheetId)?.agents.get(sheetId);
    const known = entry ? Math.max(entry.at, entry.positionsAt ?? 0) : 0;
    if (!entry || this.clock() - known > maxAgeMs || known < notBefore) return null;
    return entry.value;
  }

  /** A write's echo showed every lead of this copy of the tab where the copy has it, at `at`. */
  confirmPositions(sheet: AgentSheet, at: number): void {
    const entry = this.books.get(sheet.spreadsheetId)?.agents.get(sheet.sheetId);
    if (entry && entry.value.readAt === sheet.readAt) entry.positionsAt = Math.max(entry.positionsAt ?? 0, at);
  }

  /** The cache's time to live in ms (0: until refreshed). */
  get ttl(): number {
    return this.ttlMs;
  }

  setAgentSheet(sheet: AgentSheet): void {
    this.book(sheet.spreadsheetId).agents.set(sheet.sheetId, { value: sheet, at: sheet.readAt });
  }

  /** Row position of a RowID in the cached tab (1-based), if cached and unique. */
  rowIndexOf(spreadsheetId: string, sheetId: number, rowId: string): number | null {
    const entry = this.books.get(spreadsheetId)?.agents.get(sheetId);
    if (!entry || this.fresh(entry) === null) return null;
    if (!entry.byRowId) {
      const counts = new Map<string, number>();
      entry.byRowId = new Map();
      for (const row of entry.value.rows) {
        counts.set(row.rowId, (counts.get(row.rowId) ?? 0) + 1);
        entry.byRowId.set(row.rowId, row.rowIndex);
      }
      for (const [id, n] of counts) if (n > 1) entry.byRowId.delete(id);
    }
    return entry.byRowId.get(rowId) ?? null;
  }

  /** Replaces rows (matched by position) in a cached tab, keeping its age. */
  patchRows(spreadsheetId: string, sheetId: number, updated: readonly AgentRow[]): void {
    const entry = this.books.get(spreadsheetId)?.agents.get(sheetId);
    if (!entry || updated.length === 0) return;
    const key = (r: AgentRow) => `${r.rowIndex}\u0000${r.rowId}`;
    const byPosition = new Map(updated.map((r) => [key(r), r]));
    const rows = entry.value.rows.map((r) => byPosition.get(key(r)) ?? r);
    entry.value = { ...entry.value, rows };
  }

  router(spreadsheetId: string, sheetId: number): RouterEntry[] | null {
    return this.fresh(this.books.get(spreadsheetId)?.routers.get(sheetId));
  }

  setRouter(spreadsheetId: string, sheetId: number, entries: RouterEntry[]): void {
    this.book(spreadsheetId).routers.set(sheetId, { value: entries, at: this.clock() });
  }

  /** Forgets one spreadsheet, or everything. */
  refresh(spreadsheetId?: string): void {
    if (spreadsheetId === undefined) this.books.clear();
    else this.books.delete(spreadsheetId);
    this.forgotten.set(spreadsheetId ?? '', this.clock());
  }

  /** Forgets one tab's rows (its layout or positions are known to be stale). */
  forgetTab(spreadsheetId: string, sheetId: number): void {
    this.books.get(spreadsheetId)?.agents.delete(sheetId);
    this.forgotten.set(`${spreadsheetId}\u0000${sheetId}`, this.clock());
  }

  /** When this tab was last forgotten (epoch ms, 0: never): a copy read before then is stale, whoever read it. */
  forgottenAt(spreadsheetId: string, sheetId: number): number {
    return Math.max(this.forgotten.get('') ?? 0, this.forgotten.get(spreadsheetId) ?? 0, this.forgotten.get(`${spreadsheetId}\u0000${sheetId}`) ?? 0);
  }

  private fresh<T>(entry: Entry<T> | undefined): T | null {
    if (!entry) return null;
    if (this.ttlMs > 0 && this.clock() - entry.at > this.ttlMs) return null;
    return entry.value;
  }

  private book(spreadsheetId: string): Book {
    let book = this.books.get(spreadsheetId);
    if (!book) {
      book = { agents: new Map(), routers: new Map() };
      this.books.set(spreadsheetId, book);
    }
    return book;
  }
}
