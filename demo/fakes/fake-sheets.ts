import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Google Sheets API (v4 wire format) on a random local port, for tests
 * and local development. Point the service at it with SHEETS_API_ROOT_URL (no
 * credentials: emulator mode). It speaks the calls the dialer makes:
 *
 *   GET  /v4/spreadsheets/{id}                        spreadsheets.get (tab ids, titles, grid sizes)
 *   GET  /v4/spreadsheets/{id}/values/{range}         values.get
 *   GET  /v4/spreadsheets/{id}/values:batchGet        values.batchGet (?ranges=…&ranges=…)
 *   POST /v4/spreadsheets/{id}/values:batchUpdate     values.batchUpdate (RAW / USER_ENTERED)
 *   POST /v4/spreadsheets/{id}:batchUpdate            updateCells (values, backgroundColor), repeatCell, appendDimension;
 *                                                     includeSpreadsheetInResponse + responseRanges echo the ranges after the update
 *
 * Google's per-user quotas can be enforced (enforceQuota), answering 429 with
 * Google's RESOURCE_EXHAUSTED body beyond them.
 *
 * A1 ranges with quoted titles ('Q4 ''24'!A1:C3), whole rows (2:2), whole
 * columns (A:A), open ends (A2:Z) and bare titles; trailing empty cells and rows
 * are omitted from answers as Google does; writes past the grid are refused.
 * Values are kept as written (numbers stay numbers) and rendered as text unless
 * valueRenderOption=UNFORMATTED_VALUE. Errors use Google's JSON error shape.
 *
 *   const fake = await FakeSheets.start();
 *   fake.setSheet('sheet-1', 'Leads', [['RowID', 'Name', …], ['L1', 'Ada', …]]);
 *   fake.failNext(5, 429);            // a quota storm
 *   fake.cells('sheet-1', 'Leads');  // → string[][]
 *   fake.colours('sheet-1', 'Leads'); // → { K2: '#8E7CC3' }
 *   await fake.close();
 */

export type CellValue = string | number | boolean;

export interface FakeRequest {
  method: string;
  /** decoded path, e.g. /v4/spreadsheets/abc/values:batchUpdate */
  path: string;
  /** which API call it was */
  call: 'spreadsheets.get' | 'values.get' | 'values.batchGet' | 'values.batchUpdate' | 'spreadsheets.batchUpdate' | 'unknown';
  spreadsheetId: string | null;
  query: Record<string, string[]>;
  body: unknown;
  status: number;
  /** the Authorization header, if any (emulator mode sends none) */
  authorization: string | null;
  /** epoch ms of arrival */
  at: number;
  /** refused by the enforced quota (not by failNext) */
  quotaRefused?: boolean;
}

interface Tab {
  sheetId: number;
  title: string;
  rows: CellValue[][];
  /** "row,col" (0-based) → #RRGGBB */
  colours: Map<string, string>;
  rowCount: number;
  columnCount: number;
}

interface Failure {
  remaining: number;
  status: number;
  match?: (req: FakeRequest) => boolean;
}

/** Google's per-user quotas, enforced per `windowMs` (Google's is a minute; tests compress it). */
export interface FakeQuota {
  readsPerWindow: number;
  writesPerWindow: number;
  windowMs: number;
}

interface GridRange {
  tab: Tab;
  startRow: number;
  startCol: number;
  /** exclusive; null: to the end of the data */
  endRow: number | null;
  endCol: number | null;
}

class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export class FakeSheets {
  /** every request, in arrival order */
  readonly requests: FakeRequest[] = [];
  private readonly spreadsheets = new Map<string, Tab[]>();
  private readonly failures: Failure[] = [];
  private nextSheetId = 1_000_001;
  private delayMs = 0;
  private quota: FakeQuota | null = null;
  /** per user and kind: arrival times of the requests the quota let through */
  private readonly quotaLog = new Map<string, number[]>();

  private readonly server: Server;
  /** root URL for SHEETS_API_ROOT_URL, e.g. http://127.0.0.1:41234/ */
  readonly url: string;

  // plain fields, no parameter properties: Node can load this file with type stripping (bench/)
  private constructor(server: Server, url: string) {
    this.server = server;
    this.url = url;
  }

  /** Listens on `port` (default 0: any free port) of `host` (default 127.0.0.1). */
  static async start(options: { port?: number; host?: string } = {}): Promise<FakeSheets> {
    let fake: FakeSheets | null = null;
    const server = createServer((req, res) => void fake!.handle(req, res));
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject); // e.g. EADDRINUSE on a fixed port
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    fake = new FakeSheets(server, `http://${urlHost}:${port}/`);
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Creates or replaces a tab with these rows (row 1 first). Returns its numeric
   * sheetId (given, or kept from the tab it replaces, or a new one).
   */
  setSheet(spreadsheetId: string, title: string, rows: CellValue[][], options: { sheetId?: number; rowCount?: number; columnCount?: number } = {}): number {
    const tabs = this.spreadsheets.get(spreadsheetId) ?? [];
    this.spreadsheets.set(spreadsheetId, tabs);
    const existing = tabs.find((t) => t.title === title || (options.sheetId !== undefined && t.sheetId === options.sheetId));
    const width = Math.max(0, ...rows.map((r) => r.length));
    const tab: Tab = {
      sheetId: options.sheetId ?? existing?.sheetId ?? this.nextSheetId++,
      title,
      rows: rows.map((r) => [...r]),
      colours: new Map(),
      rowCount: options.rowCount ?? Math.max(1000, rows.length),
      columnCount: options.columnCount ?? Math.max(26, width),
    };
    if (existing) tabs.splice(tabs.indexOf(existing), 1, tab);
    else tabs.push(tab);
    return tab.sheetId;
  }

  /** Forgets every spreadsheet, pending failure and logged request. */
  reset(): void {
    this.spreadsheets.clear();
    this.failures.length = 0;
    this.requests.length = 0;
    this.delayMs = 0;
  }

  /** Renames a tab (its sheetId stays), as a person might while agents dial. */
  renameSheet(spreadsheetId: string, title: string, newTitle: string): void {
    this.tab(spreadsheetId, title).title = newTitle;
  }

  /** Edits a tab's rows in place (sort, insert, delete — as people do); colours move with their rows. */
  editRows(spreadsheetId: string, title: string, edit: (rows: CellValue[][]) => CellValue[][]): void {
    const tab = this.tab(spreadsheetId, title);
    const tagged = tab.rows.map((cells, r) => Object.assign([...cells], { __row: r }) as CellValue[] & { __row?: number });
    const edited = edit(tagged) as (CellValue[] & { __row?: number })[];
    const colours = new Map<string, string>();
    edited.forEach((cells, newRow) => {
      if (cells.__row === undefined) return;
      for (const [key, hex] of tab.colours) {
        const [r, c] = key.split(',').map(Number);
        if (r === cells.__row) colours.set(`${newRow},${c}`, hex);
      }
    });
    tab.rows = edited.map((cells) => [...cells]);
    tab.colours = colours;
  }

  /** The tab's cells as text, trailing empty cells and rows trimmed (what a person sees). */
  cells(spreadsheetId: string, title: string): string[][] {
    return trimGrid(this.tab(spreadsheetId, title).rows.map((r) => r.map(formatted)));
  }

  /** One cell's text by A1 reference, e.g. cell('s', 'Leads', 'K2'). */
  cell(spreadsheetId: string, title: string, a1: string): string {
    const { row, col } = parseCell(a1);
    return formatted(this.tab(spreadsheetId, title).rows[row]?.[col] ?? '');
  }

  /** Background colours set through repeatCell, by A1 cell: { K2: '#8E7CC3' }. */
  colours(spreadsheetId: string, title: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, hex] of this.tab(spreadsheetId, title).colours) {
      const [r, c] = key.split(',').map(Number) as [number, number];
      out[`${letters(c)}${r + 1}`] = hex;
    }
    return out;
  }

  sheetIdOf(spreadsheetId: string, title: string): number {
    return this.tab(spreadsheetId, title).sheetId;
  }

  /** The next `count` requests (matching `match`, if given) fail with `status` (429: quota, 5xx: outage). */
  failNext(count: number, status = 429, match?: (req: FakeRequest) => boolean): void {
    this.failures.push({ remaining: count, status, match });
  }

  /**
   * Enforces Google's per-user quotas from now on (null: off): beyond
   * `readsPerWindow` reads or `writesPerWindow` writes in any `windowMs`, a
   * request is refused with 429 and Google's RESOURCE_EXHAUSTED body. A user is
   * the Authorization header (emulator mode sends none: one anonymous user).
   */
  enforceQuota(quota: FakeQuota | null): void {
    this.quota = quota;
    this.quotaLog.clear();
  }

  /** Requests refused for quota so far. */
  quotaRefusals(): FakeRequest[] {
    return this.requests.filter((r) => r.status === 429 && r.quotaRefused === true);
  }

  /** Every answer waits this long (slow network). */
  delay(ms: number): void {
    this.delayMs = ms;
  }

  /** Requests of one kind (e.g. 'values.batchUpdate'), optionally only the successful ones. */
  calls(call: FakeRequest['call'], options: { ok?: boolean } = {}): FakeRequest[] {
    return this.requests.filter((r) => r.call === call && (options.ok === undefined || (r.status < 400) === options.ok));
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  // --- HTTP --------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    const record: FakeRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      call: 'unknown',
      spreadsheetId: null,
      query: queryOf(url),
      body: null,
      status: 200,
      authorization: req.headers.authorization ?? null,
      at: Date.now(),
    };
    this.requests.push(record);
    let status = 200;
    let payload: unknown;
    try {
      record.body = raw.length > 0 ? JSON.parse(raw) : null;
      const route = this.route(record);
      record.call = route.call;
      record.spreadsheetId = route.spreadsheetId;
      this.checkQuota(record);
      const failure = this.failures.find((f) => f.remaining > 0 && (!f.match || f.match(record)));
      if (failure) {
        failure.remaining--;
        throw new HttpError(failure.status, failure.status === 429 ? "Quota exceeded for quota metric 'Requests' of service 'sheets.googleapis.com'" : 'The service is currently unavailable.');
      }
      payload = route.run();
    } catch (err) {
      status = err instanceof HttpError ? err.status : 400;
      const message = err instanceof Error ? err.message : String(err);
      payload = err instanceof QuotaError ? err.body() : { error: { code: status, message, status: GOOGLE_STATUS[status] ?? 'UNKNOWN' } };
    }
    record.status = status;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const body = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  private checkQuota(r: FakeRequest): void {
    if (!this.quota || r.call === 'unknown') return;
    const kind = r.call === 'spreadsheets.get' || r.call === 'values.get' || r.call === 'values.batchGet' ? 'read' : 'write';
    const user = r.authorization ?? 'anonymous';
    const key = `${user}\u0000${kind}`;
    const limit = kind === 'read' ? this.quota.readsPerWindow : this.quota.writesPerWindow;
    const log = (this.quotaLog.get(key) ?? []).filter((t) => t > r.at - this.quota!.windowMs);
    this.quotaLog.set(key, log);
    if (log.length >= limit) {
      r.quotaRefused = true;
      throw new QuotaError(kind);
    }
    log.push(r.at);
  }

  private route(r: FakeRequest): { call: FakeRequest['call']; spreadsheetId: string | null; run: () => unknown } {
    const m = /^\/v4\/spreadsheets\/([^/:]+)(.*)$/.exec(r.path);
    if (!m) return { call: 'unknown', spreadsheetId: null, run: () => fail(404, `Unknown path ${r.path}`) };
    const id = m[1]!;
    const rest = m[2]!;
    if (r.method === 'GET' && rest === '') return { call: 'spreadsheets.get', spreadsheetId: id, run: () => this.getSpreadsheet(id) };
    if (r.method === 'GET' && rest === '/values:batchGet') return { call: 'values.batchGet', spreadsheetId: id, run: () => this.batchGet(id, r.query) };
    if (r.method === 'POST' && rest === '/values:batchUpdate') return { call: 'values.batchUpdate', spreadsheetId: id, run: () => this.valuesUpdate(id, r.body) };
    if (r.method === 'POST' && rest === ':batchUpdate') return { call: 'spreadsheets.batchUpdate', spreadsheetId: id, run: () => this.batchUpdate(id, r.body) };
    if (r.method === 'GET' && rest.startsWith('/values/')) {
      return { call: 'values.get', spreadsheetId: id, run: () => this.valueRange(id, rest.slice('/values/'.length), r.query) };
    }
    return { call: 'unknown', spreadsheetId: id, run: () => fail(404, `Unknown method ${r.method} ${r.path}`) };
  }

  private book(id: string): Tab[] {
    const tabs = this.spreadsheets.get(id);
    if (!tabs) fail(404, 'Requested entity was not found.');
    return tabs;
  }

  private tab(spreadsheetId: string, title: string): Tab {
    const tab = this.book(spreadsheetId).find((t) => t.title === title);
    if (!tab) throw new Error(`fake sheets: no tab "${title}" in ${spreadsheetId}`);
    return tab;
  }

  private getSpreadsheet(id: string): unknown {
    return {
      spreadsheetId: id,
      properties: { title: `Spreadsheet ${id}` },
      sheets: this.book(id).map((t, index) => ({
        properties: { sheetId: t.sheetId, title: t.title, index, sheetType: 'GRID', gridProperties: { rowCount: t.rowCount, columnCount: t.columnCount } },
      })),
    };
  }

  private batchGet(id: string, query: Record<string, string[]>): unknown {
    const ranges = query.ranges ?? [];
    return { spreadsheetId: id, valueRanges: ranges.map((range) => this.read(id, range, query)) };
  }

  private valueRange(id: string, range: string, query: Record<string, string[]>): unknown {
    return this.read(id, range, query);
  }

  private read(id: string, range: string, query: Record<string, string[]>): unknown {
    const g = this.parseRange(id, range);
    const unformatted = query.valueRenderOption?.[0] === 'UNFORMATTED_VALUE';
    const endRow = g.endRow ?? g.tab.rows.length;
    const values: CellValue[][] = [];
    for (let r = g.startRow; r < endRow; r++) {
      const row = g.tab.rows[r] ?? [];
      const endCol = g.endCol ?? row.length;
      const cells: CellValue[] = [];
      for (let c = g.startCol; c < endCol; c++) {
        const v = row[c] ?? '';
        cells.push(unformatted ? v : formatted(v));
      }
      values.push(cells);
    }
    const trimmed = trimGrid(values);
    const a1 = `${quote(g.tab.title)}!${letters(g.startCol)}${g.startRow + 1}:${letters(Math.max(g.startCol, (g.endCol ?? g.tab.columnCount) - 1))}${g.endRow ?? g.tab.rowCount}`;
    return trimmed.length > 0 ? { range: a1, majorDimension: 'ROWS', values: trimmed } : { range: a1, majorDimension: 'ROWS' };
  }

  private valuesUpdate(id: string, body: unknown): unknown {
    const b = body as { valueInputOption?: string; data?: { range: string; values: CellValue[][] }[] } | null;
    if (!b?.valueInputOption || !['RAW', 'USER_ENTERED'].includes(b.valueInputOption)) fail(400, "Invalid valueInputOption: must be 'RAW' or 'USER_ENTERED'");
    const data = b.data ?? [];
    // validate everything first: a batch applies atomically or not at all
    const targets = data.map((d) => {
      const g = this.parseRange(id, d.range);
      const height = d.values.length;
      const width = Math.max(0, ...d.values.map((row) => row.length));
      if (g.startRow + height > g.tab.rowCount || g.startCol + width > g.tab.columnCount) {
        fail(400, `Range (${d.range}) exceeds grid limits. Max rows: ${g.tab.rowCount}, max columns: ${g.tab.columnCount}`);
      }
      return { g, values: d.values };
    });
    let cells = 0;
    const responses = targets.map(({ g, values }) => {
      values.forEach((row, dr) => {
        row.forEach((value, dc) => {
          const r = g.startRow + dr;
          const c = g.startCol + dc;
          while (g.tab.rows.length <= r) g.tab.rows.push([]);
          const target = g.tab.rows[r]!;
          while (target.length <= c) target.push('');
          target[c] = value === null ? '' : value;
          cells++;
        });
      });
      return { spreadsheetId: id, updatedRange: `${quote(g.tab.title)}!${letters(g.startCol)}${g.startRow + 1}`, updatedCells: values.flat().length };
    });
    return { spreadsheetId: id, totalUpdatedCells: cells, totalUpdatedSheets: new Set(targets.map((t) => t.g.tab)).size, responses };
  }

  private batchUpdate(id: string, body: unknown): unknown {
    const tabs = this.book(id);
    const requests = (body as { requests?: Record<string, unknown>[] } | null)?.requests ?? [];
    if (requests.length === 0) fail(400, 'Must specify at least one request.');
    const byId = (sheetId: unknown): Tab => {
      const tab = tabs.find((t) => t.sheetId === Number(sheetId ?? 0));
      if (!tab) fail(400, `Invalid requests[0]: No grid with id: ${String(sheetId)}`);
      return tab;
    };
    // Google applies the requests in order, each seeing the ones before it, and all or nothing
    const build = (req: Record<string, unknown>): (() => void) => {
      if (req.repeatCell) {
        const rc = req.repeatCell as { range?: Record<string, number>; cell?: { userEnteredFormat?: { backgroundColor?: Record<string, number> } }; fields?: string };
        const range = rc.range ?? {};
        const tab = byId(range.sheetId);
        if (!rc.fields) fail(400, "Invalid requests[0].repeatCell: 'fields' must be specified");
        const colour = rc.cell?.userEnteredFormat?.backgroundColor ?? {};
        const masked = rc.fields.split(',').map((f) => f.trim()).some((f) => f === '*' || f === 'userEnteredFormat' || f === 'userEnteredFormat.backgroundColor');
        return () => {
          if (!masked) return;
          const rows = [range.startRowIndex ?? 0, range.endRowIndex ?? tab.rowCount];
          const cols = [range.startColumnIndex ?? 0, range.endColumnIndex ?? tab.columnCount];
          for (let r = rows[0]!; r < rows[1]!; r++) for (let c = cols[0]!; c < cols[1]!; c++) tab.colours.set(`${r},${c}`, toHex(colour));
        };
      }
      if (req.updateCells) {
        const uc = req.updateCells as {
          start?: { sheetId?: number; rowIndex?: number; columnIndex?: number };
          rows?: { values?: { userEnteredValue?: Record<string, unknown>; userEnteredFormat?: { backgroundColor?: Record<string, number> } }[] }[];
          fields?: string;
        };
        if (!uc.start) fail(400, 'Invalid requests[0].updateCells: only start is supported by the fake (not range)');
        if (!uc.fields) fail(400, "Invalid requests[0].updateCells: 'fields' must be specified");
        const tab = byId(uc.start.sheetId);
        const fields = uc.fields.split(',').map((f) => f.trim());
        const setsValue = fields.some((f) => f === '*' || f === 'userEnteredValue');
        const setsColour = fields.some((f) => f === '*' || f === 'userEnteredFormat' || f === 'userEnteredFormat.backgroundColor');
        const r0 = uc.start.rowIndex ?? 0;
        const c0 = uc.start.columnIndex ?? 0;
        const rows = uc.rows ?? [];
        rows.forEach((row, dr) => {
          if (r0 + dr >= tab.rowCount || c0 + (row.values ?? []).length > tab.columnCount) {
            fail(400, `Invalid requests[0].updateCells: range exceeds grid limits. Max rows: ${tab.rowCount}, max columns: ${tab.columnCount}`);
          }
        });
        return () => {
          rows.forEach((row, dr) => {
            (row.values ?? []).forEach((cell, dc) => {
              const r = r0 + dr;
              const c = c0 + dc;
              if (setsValue) {
                while (tab.rows.length <= r) tab.rows.push([]);
                const target = tab.rows[r]!;
                while (target.length <= c) target.push('');
                target[c] = extendedValue(cell.userEnteredValue);
              }
              if (setsColour && cell.userEnteredFormat?.backgroundColor) tab.colours.set(`${r},${c}`, toHex(cell.userEnteredFormat.backgroundColor));
            });
          });
        };
      }
      if (req.appendDimension) {
        const ad = req.appendDimension as { sheetId?: number; dimension?: string; length?: number };
        const tab = byId(ad.sheetId);
        return () => {
          if (ad.dimension === 'COLUMNS') tab.columnCount += ad.length ?? 0;
          else tab.rowCount += ad.length ?? 0;
        };
      }
      return fail(400, `Unsupported request in the fake: ${Object.keys(req).join(', ')}`);
    };
    const saved = tabs.map((t) => ({ t, rows: t.rows.map((r) => [...r]), colours: new Map(t.colours), rowCount: t.rowCount, columnCount: t.columnCount }));
    try {
      for (const req of requests) build(req)();
    } catch (err) {
      for (const s of saved) Object.assign(s.t, { rows: s.rows, colours: s.colours, rowCount: s.rowCount, columnCount: s.columnCount });
      throw err;
    }
    const answer: Record<string, unknown> = { spreadsheetId: id, replies: requests.map(() => ({})) };
    const { includeSpreadsheetInResponse, responseRanges } = (body ?? {}) as { includeSpreadsheetInResponse?: boolean; responseRanges?: string[] };
    if (includeSpreadsheetInResponse) answer.updatedSpreadsheet = this.echo(id, responseRanges ?? []);
    return answer;
  }

  /** The spreadsheet after a batchUpdate, as includeSpreadsheetInResponse + responseRanges give it: each range's cells (effectiveValue). */
  private echo(id: string, ranges: string[]): unknown {
    const grids = ranges.map((range) => this.parseRange(id, range));
    return {
      spreadsheetId: id,
      sheets: this.book(id).map((tab) => {
        const mine = grids.filter((g) => g.tab === tab);
        if (mine.length === 0) return { properties: { sheetId: tab.sheetId, title: tab.title } };
        const data = mine.map((grid) => {
          const endRow = Math.min(grid.endRow ?? tab.rows.length, tab.rows.length);
          const endCol = grid.endCol ?? tab.columnCount;
          const rowData = tab.rows.slice(grid.startRow, endRow).map((row) => ({
            values: row.slice(grid.startCol, endCol).map((v) => (v === '' ? {} : { effectiveValue: effectiveValue(v) })),
          }));
          return { startRow: grid.startRow, startColumn: grid.startCol, rowData };
        });
        return { properties: { sheetId: tab.sheetId, title: tab.title }, data };
      }),
    };
  }

  /** 'Tab'!A1:C3, Tab!2:2, 'Tab'!A:A, 'Tab'!A2:Z, 'Tab', A1:B2 (first tab). */
  private parseRange(id: string, range: string): GridRange {
    const tabs = this.book(id);
    let title: string | null = null;
    let a1 = range;
    if (range.startsWith("'")) {
      let i = 1;
      let t = '';
      for (; i < range.length; i++) {
        if (range[i] === "'") {
          if (range[i + 1] === "'") {
            t += "'";
            i++;
            continue;
          }
          break;
        }
        t += range[i];
      }
      title = t;
      a1 = range.slice(i + 1);
      a1 = a1.startsWith('!') ? a1.slice(1) : a1;
    } else if (range.includes('!')) {
      title = range.slice(0, range.lastIndexOf('!'));
      a1 = range.slice(range.lastIndexOf('!') + 1);
    } else if (tabs.some((t) => t.title === range)) {
      title = range;
      a1 = '';
    }
    const tab = title === null ? tabs[0] : tabs.find((t) => t.title === title);
    if (!tab) fail(400, `Unable to parse range: ${range}`);
    if (a1 === '') return { tab: tab, startRow: 0, startCol: 0, endRow: null, endCol: null };
    const m = /^([A-Z]*)(\d*)(?::([A-Z]*)(\d*))?$/i.exec(a1);
    if (!m || (m[1] === '' && m[2] === '')) fail(400, `Unable to parse range: ${range}`);
    const [, c1, r1, c2, r2] = m;
    const single = m[3] === undefined && m[4] === undefined;
    return {
      tab: tab,
      startRow: r1 ? Number(r1) - 1 : 0,
      startCol: c1 ? colIndex(c1) : 0,
      endRow: single ? (r1 ? Number(r1) : null) : r2 ? Number(r2) : null,
      endCol: single ? (c1 ? colIndex(c1) + 1 : null) : c2 ? colIndex(c2) + 1 : null,
    };
  }
}

/** Google's answer to a request over a per-user quota (429 RESOURCE_EXHAUSTED with an ErrorInfo naming the quota). */
class QuotaError extends HttpError {
  readonly kind: 'read' | 'write';

  constructor(kind: 'read' | 'write') {
    const metric = kind === 'read' ? 'Read requests' : 'Write requests';
    super(429, `Quota exceeded for quota metric '${metric}' and limit '${metric} per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'.`);
    this.kind = kind;
  }

  body(): unknown {
    const limit = this.kind === 'read' ? 'ReadRequestsPerMinutePerUser' : 'WriteRequestsPerMinutePerUser';
    return {
      error: {
        code: 429,
        message: this.message,
        status: 'RESOURCE_EXHAUSTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'RATE_LIMIT_EXCEEDED',
            domain: 'googleapis.com',
            metadata: { quota_metric: `sheets.googleapis.com/${this.kind}_requests`, quota_limit: limit, service: 'sheets.googleapis.com', consumer: 'projects/000000000000' },
          },
          { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Request a higher quota limit.', url: 'https://cloud.google.com/docs/quota#requesting_higher_quota' }] },
        ],
      },
    };
  }
}

function fail(status: number, message: string): never {
  throw new HttpError(status, message);
}

/** An ExtendedValue as the cell keeps it (stringValue stays text, as RAW input does). */
function extendedValue(v: Record<string, unknown> | undefined): CellValue {
  if (!v) return '';
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (typeof v.numberValue === 'number') return v.numberValue;
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (typeof v.formulaValue === 'string') return v.formulaValue;
  return '';
}

function effectiveValue(v: CellValue): Record<string, unknown> {
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return { stringValue: v };
}

function formatted(v: CellValue): string {
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return String(v);
}

function trimGrid<T>(rows: T[][]): T[][] {
  const out = rows.map((row) => {
    let end = row.length;
    while (end > 0 && (row[end - 1] === '' || row[end - 1] === null || row[end - 1] === undefined)) end--;
    return row.slice(0, end);
  });
  while (out.length > 0 && out[out.length - 1]!.length === 0) out.pop();
  return out;
}

/** A 0-based column index as A1 letters: 0 → A, 26 → AA. */
export function letters(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function colIndex(l: string): number {
  let n = 0;
  for (const ch of l.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

function parseCell(a1: string): { row: number; col: number } {
  const m = /^([A-Z]+)(\d+)$/i.exec(a1);
  if (!m) throw new Error(`not a cell: ${a1}`);
  return { col: colIndex(m[1]!), row: Number(m[2]) - 1 };
}

function quote(title: string): string {
  return `'${title.replace(/'/g, "''")}'`;
}

function toHex(c: Record<string, number>): string {
  const h = (x: number | undefined) => Math.round((x ?? 0) * 255).toString(16).padStart(2, '0').toUpperCase();
  return `#${h(c.red)}${h(c.green)}${h(c.blue)}`;
}

function queryOf(url: URL): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) (out[k] ??= []).push(v);
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
