import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import { runDetached } from '../../common/run-detached.js';
import type { AgentRow } from '../../policy/policy.types.js';
import { cellA1, tabA1 } from './a1.js';
import {
  AGENT_OPTIONAL_COLUMNS,
  AGENT_REQUIRED_COLUMNS,
  cellString,
  describeProblems,
  type Layout,
  mapHeader,
  ROUTER_COLUMNS,
  type RouterEntry,
  toAgentRow,
  toRouterEntry,
} from './sheet-layout.js';
import { type CallPurpose, SheetsApi, type TabInfo } from './sheets-api.js';
import { type AgentSheet, SheetsCache } from './sheets-cache.js';
import { SheetsApiError, toDomainError } from './sheets-errors.js';
import { SharedTabReads, type TabRead } from './shared-tab-reads.js';

/** A tab of a spreadsheet: its numeric sheetId (the URL's gid) or its title. */
export interface SheetRef {
  spreadsheetId: string;
  tab: string | number;
}

/** A decision may use a cached tab up to this many times the cache's TTL old while a fresh read is on its way. */
const STALE_FACTOR = 6;
/** How long a read shared with the other nodes is kept when the cache keeps tabs until refreshed (TTL 0). */
const SHARED_KEEP_WITHOUT_TTL_MS = 10 * 60_000;

export const AGENT_COLUMNS_HELP =
  'expected columns (any order): RowID, Name, Num1..Num10, Status1..Status10, Notes, LastOutcome, AttemptCount, NextIndex; optional LastCalledAt, Timezone';

/**
 * Reads tabs through the cache: one spreadsheets.get per spreadsheet for tab
 * ids and titles, one values.batchGet per tab read. Validates headers (by
 * name, any order) and adds LastCalledAt to an agent tab's header when absent.
 * Every agent tab read from Google is shared with the other nodes
 * (SharedTabReads): a node whose copy expired takes a recent enough one of
 * theirs, or waits for the one on its way, instead of reading again.
 */
@Injectable()
export class SheetReader {
  private readonly logger = new Logger('Sheets');
  private readonly inflight = new Map<string, Promise<AgentSheet>>();
  private readonly tabLists = new Map<string, Promise<TabInfo[]>>();

  constructor(
    private readonly api: SheetsApi,
    readonly cache: SheetsCache,
    private readonly shared: SharedTabReads,
  ) {}

  /** Every node learns that the tab's rows or columns moved now (see SharedTabReads.markMoved). */
  markMoved(spreadsheetId: string, sheetId: number): void {
    runDetached(this.shared.markMoved(spreadsheetId, sheetId), this.logger, `marking ${spreadsheetId}/${sheetId} as moved`);
  }

  /** When each tab's rows last moved, as far as any node saw (epoch ms, 0: not lately). */
  movedAt(spreadsheetId: string, sheetIds: readonly number[]): Promise<Map<number, number>> {
    return this.shared.movedAt(spreadsheetId, sheetIds);
  }

  /** The tab a router's TabId names: its numeric sheetId first, else its title. */
  async resolveTab(spreadsheetId: string, tab: string | number, purpose: CallPurpose = 'read'): Promise<TabInfo> {
    const cached = this.cache.tabs(spreadsheetId);
    const found = cached && findTab(cached, tab);
    if (found) return found;
    // concurrent callers (every agent at the start of a shift) share one spreadsheets.get
    let listing = this.tabLists.get(spreadsheetId);
    if (!listing) {
      listing = this.api
        .tabs(spreadsheetId, purpose)
        .then((tabs) => {
          this.cache.setTabs(spreadsheetId, tabs);
          return tabs;
        })
        .finally(() => this.tabLists.delete(spreadsheetId));
      this.tabLists.set(spreadsheetId, listing);
    }
    const tabs = await listing.catch((err: unknown) => {
      throw toDomainError(err, `spreadsheet ${spreadsheetId}`);
    });
    const fresh = findTab(tabs, tab);
    if (!fresh) {
      throw new DomainError('NOT_FOUND', `Tab "${tab}" is not in spreadsheet ${spreadsheetId} (tabs: ${tabs.map((t) => `${t.title} [${t.sheetId}]`).join(', ')})`);
    }
    return fresh;
  }

  /**
   * An agent tab, from the cache unless `refresh`. Refuses a header without the
   * required columns. Past the cache's time to live a decision does not wait
   * for Google: it gets the copy it has (up to STALE_FACTOR times the TTL old;
   * the gateway puts every queued write on top) while one read per tab and
   * node refreshes it in the background, within the quota budget. Concurrent
   * reads of one tab share one request.
   */
  async readAgentSheet(ref: SheetRef, options: { refresh?: boolean; purpose?: CallPurpose } = {}): Promise<AgentSheet> {
    const purpose = options.purpose ?? 'read';
    const tab = await this.resolveTab(ref.spreadsheetId, ref.tab, purpose);
    if (!options.refresh) {
      const cached = this.cache.agentSheet(ref.spreadsheetId, tab.sheetId);
      if (cached) return cached;
      const ttl = this.cache.ttl;
      const stale = ttl > 0 && purpose === 'read' ? this.cache.staleAgentSheet(ref.spreadsheetId, tab.sheetId, ttl * STALE_FACTOR) : null;
      if (stale) {
        this.readOnce(ref, tab, purpose, true).catch((err: unknown) =>
          this.logger.warn(`background refresh of "${tab.title}" (spreadsheet ${ref.spreadsheetId}) failed: ${(err as Error).message}`),
        );
        return stale;
      }
    }
    return this.readOnce(ref, tab, purpose, options.refresh !== true);
  }

  /**
   * One read of the tab at a time on this node: concurrent callers share it.
   * `shareable`: a recent read by another node does (a refresh asked for by
   * name, or a flush's, goes to Google).
   */
  private readOnce(ref: SheetRef, tab: TabInfo, purpose: CallPurpose, shareable: boolean): Promise<AgentSheet> {
    const key = `${ref.spreadsheetId}\u0000${tab.sheetId}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const read = this.readAgentTab(ref, tab, purpose, shareable && purpose === 'read').finally(() => this.inflight.delete(key));
    this.inflight.set(key, read);
    return read;
  }

  private async readAgentTab(ref: SheetRef, initial: TabInfo, purpose: CallPurpose, shareable: boolean): Promise<AgentSheet> {
    const { tab, values, readAt } = shareable ? await this.readShared(ref, initial, purpose) : await this.readFromGoogle(ref, initial, purpose, true);
    const layout = agentLayout(ref.spreadsheetId, tab, values);
    if (layout instanceof DomainError) throw layout;
    const withLastCalledAt = layout.columns.has('LastCalledAt') ? layout : await this.addLastCalledAt(ref.spreadsheetId, tab, layout, purpose);
    const sheet = agentSheet(ref.spreadsheetId, tab, withLastCalledAt, values, readAt);
    this.cache.setAgentSheet(sheet);
    return sheet;
  }

  /**
   * The tab as some node read it no earlier than this node's cache allows
   * (its TTL, and not before it was last told to forget the tab), else read
   * here, once for every node.
   */
  private async readShared(ref: SheetRef, initial: TabInfo, purpose: CallPurpose): Promise<TabGrid> {
    const ttl = this.cache.ttl;
    const forgotten = this.cache.forgottenAt(ref.spreadsheetId, initial.sheetId);
    const notBefore = ttl > 0 ? Math.max(Date.now() - ttl, forgotten) : forgotten;
    const mine: { read?: TabGrid } = {};
    const read = await this.shared.read(ref.spreadsheetId, initial.sheetId, notBefore, this.sharedKeepMs(), async () => {
      mine.read = await this.readFromGoogle(ref, initial, purpose, false);
      return { title: mine.read.tab.title, values: mine.read.values, readAt: mine.read.readAt };
    });
    if (mine.read) return mine.read;
    // another node's copy under another title: the tab was renamed since this node listed the tabs
    if (read.title !== initial.title) return this.readFromGoogle(ref, initial, purpose, true);
    return { tab: initial, values: read.values, readAt: read.readAt };
  }

  /** One read from Google (`offer`: shared with the other nodes in the background). */
  private async readFromGoogle(ref: SheetRef, initial: TabInfo, purpose: CallPurpose, offer: boolean): Promise<TabGrid> {
    const readAt = Date.now();
    const { tab, values } = await this.readTab(ref.spreadsheetId, initial, ref.tab, purpose);
    if (offer) this.offer(ref.spreadsheetId, tab, { title: tab.title, values, readAt });
    return { tab, values, readAt };
  }

  private offer(spreadsheetId: string, tab: TabInfo, read: TabRead): void {
    runDetached(this.shared.offer(spreadsheetId, tab.sheetId, read, this.sharedKeepMs()), this.logger, `sharing the read of "${tab.title}"`);
  }

  private sharedKeepMs(): number {
    return this.cache.ttl > 0 ? this.cache.ttl * STALE_FACTOR : SHARED_KEEP_WITHOUT_TTL_MS;
  }

  /**
   * Several agent tabs of one spreadsheet in ONE values.batchGet (the flusher's
   * read: where every lead is now), each cached as a fresh read (and shared with the other nodes). A tab whose
   * header lacks a required column is answered with its 400, not thrown. A
   * range Google cannot parse (a tab renamed since the tab list was cached)
   * throws the SheetsApiError (400): the caller reads tab by tab instead.
   */
  async readAgentTabs(spreadsheetId: string, tabs: readonly TabInfo[], purpose: CallPurpose, options: { slotTaken?: boolean } = {}): Promise<Map<number, AgentSheet | DomainError>> {
    const readAt = Date.now();
    const grids = await this.api.batchGet(spreadsheetId, tabs.map((t) => tabA1(t.title)), purpose, options);
    const sheets = new Map<number, AgentSheet | DomainError>();
    tabs.forEach((tab, k) => {
      const values = grids[k] ?? [];
      this.offer(spreadsheetId, tab, { title: tab.title, values, readAt });
      const layout = agentLayout(spreadsheetId, tab, values);
      if (layout instanceof DomainError) {
        sheets.set(tab.sheetId, layout);
        return;
      }
      const sheet = agentSheet(spreadsheetId, tab, layout, values, readAt);
      // a header still without LastCalledAt is left to the next decision's read, which adds it
      if (layout.columns.has('LastCalledAt')) this.cache.setAgentSheet(sheet);
      sheets.set(tab.sheetId, sheet);
    });
    return sheets;
  }

  /** The router tab's rows (AgentEmail | DialpadUserID | SpreadsheetId | TabId | CampaignName | Active). */
  async readRouter(spreadsheetId: string, tabName: string | number = 'Router', options: { refresh?: boolean } = {}): Promise<RouterEntry[]> {
    let tab = await this.resolveTab(spreadsheetId, tabName);
    if (!options.refresh) {
      const cached = this.cache.router(spreadsheetId, tab.sheetId);
      if (cached) return cached;
    }
    const read = await this.readTab(spreadsheetId, tab, tabName, 'read');
    tab = read.tab;
    const values = read.values;
    const { layout, problems } = mapHeader((values[0] ?? []).map(cellString), ROUTER_COLUMNS);
    if (problems) {
      throw new DomainError('INVALID_INPUT', `Router sheet "${tab.title}" (spreadsheet ${spreadsheetId}) ${describeProblems(problems)}; expected columns: ${ROUTER_COLUMNS.join(' | ')}`, {
        missing: problems.missing,
        duplicates: problems.duplicates,
      });
    }
    const entries: RouterEntry[] = [];
    for (let i = 1; i < values.length; i++) {
      const entry = toRouterEntry(layout, values[i] ?? [], i + 1);
      if (entry) entries.push(entry);
    }
    this.cache.setRouter(spreadsheetId, tab.sheetId, entries);
    return entries;
  }

  /** One values.batchGet of the whole tab; a tab renamed since we cached its title is looked up again once. */
  private async readTab(spreadsheetId: string, tab: TabInfo, ref: string | number, purpose: CallPurpose): Promise<{ tab: TabInfo; values: unknown[][] }> {
    try {
      const [values] = await this.api.batchGet(spreadsheetId, [tabA1(tab.title)], purpose);
      return { tab, values: values ?? [] };
    } catch (err) {
      if (!(err instanceof SheetsApiError) || err.status !== 400) throw toDomainError(err, `spreadsheet ${spreadsheetId}`);
      this.cache.refresh(spreadsheetId);
      const again = await this.resolveTab(spreadsheetId, ref, purpose);
      try {
        const [values] = await this.api.batchGet(spreadsheetId, [tabA1(again.title)], purpose);
        return { tab: again, values: values ?? [] };
      } catch (retryErr) {
        throw toDomainError(retryErr, `spreadsheet ${spreadsheetId}`);
      }
    }
  }

  /** Writes the LastCalledAt header after the last header cell (growing the grid if needed). Best effort: a write adds it later. */
  private async addLastCalledAt(spreadsheetId: string, tab: TabInfo, layout: Layout, purpose: CallPurpose): Promise<Layout> {
    const column = layout.width;
    const extended: Layout = { ...layout, columns: new Map([...layout.columns, ['LastCalledAt', column]]), width: column + 1 };
    try {
      await this.ensureColumns(spreadsheetId, tab, column + 1, purpose);
      await this.api.updateValues(spreadsheetId, [{ range: cellA1(tab.title, column, 1), values: [['LastCalledAt']] }], purpose);
      this.logger.log(`added the LastCalledAt column to "${tab.title}" (spreadsheet ${spreadsheetId})`);
      return extended;
    } catch (err) {
      this.logger.warn(`could not add LastCalledAt to "${tab.title}" yet: ${(err as Error).message}`);
      return layout;
    }
  }

  /** Grows the tab's grid to `columns` columns when it is narrower (writes past the grid are refused). */
  async ensureColumns(spreadsheetId: string, tab: TabInfo, columns: number, purpose: CallPurpose): Promise<void> {
    if (columns <= tab.columnCount) return;
    await this.api.batchUpdate(spreadsheetId, [{ appendDimension: { sheetId: tab.sheetId, dimension: 'COLUMNS', length: columns - tab.columnCount } }], purpose);
    tab.columnCount = columns;
  }
}

/** A tab's cells as read, with the tab as it was then and when the read started. */
interface TabGrid {
  tab: TabInfo;
  values: unknown[][];
  readAt: number;
}

function findTab(tabs: TabInfo[], tab: string | number): TabInfo | null {
  const text = String(tab).trim();
  if (/^\d+$/.test(text)) {
    const byId = tabs.find((t) => t.sheetId === Number(text));
    if (byId) return byId;
  }
  return tabs.find((t) => t.title === text) ?? tabs.find((t) => t.title.toLowerCase() === text.toLowerCase()) ?? null;
}

/** An agent tab's layout from its header row, or the 400 naming the missing or doubled columns. */
function agentLayout(spreadsheetId: string, tab: TabInfo, values: unknown[][]): Layout | DomainError {
  const { layout, problems } = mapHeader((values[0] ?? []).map(cellString), AGENT_REQUIRED_COLUMNS, AGENT_OPTIONAL_COLUMNS);
  if (!problems) return layout;
  return new DomainError('INVALID_INPUT', `Agent sheet "${tab.title}" (spreadsheet ${spreadsheetId}) ${describeProblems(problems)}; ${AGENT_COLUMNS_HELP}`, {
    missing: problems.missing,
    duplicates: problems.duplicates,
  });
}

/** The tab's leads, top to bottom (blank rows skipped), as read at `readAt`. */
function agentSheet(spreadsheetId: string, tab: TabInfo, layout: Layout, values: unknown[][], readAt: number): AgentSheet {
  const rows: AgentRow[] = [];
  for (let i = 1; i < values.length; i++) {
    const row = toAgentRow(layout, values[i] ?? [], i + 1);
    if (row) rows.push(row);
  }
  return { spreadsheetId, sheetId: tab.sheetId, title: tab.title, layout, rows, readAt };
}
