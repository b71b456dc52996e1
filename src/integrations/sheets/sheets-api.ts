import { accessSync, constants } from 'node:fs';
import { Injectable, Logger } from '@nestjs/common';
import { auth, sheets, type sheets_v4 } from '@googleapis/sheets';
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  retry,
  wrap,
} from 'cockatiel';
import { AppConfig, ConfigError } from '../../infra/config/app-config.js';
import { cellString } from './sheet-layout.js';
import { isRetryable, SheetsApiError, toSheetsApiError } from './sheets-errors.js';
import { SheetsMetrics } from './sheets-metrics.js';
import { type QuotaKind, SheetsQuota } from './sheets-quota.js';

export const SHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets';

export interface TabInfo {
  sheetId: number;
  title: string;
  rowCount: number;
  columnCount: number;
}

/** Reads retry longer (nothing else can answer them); a write gives up sooner, into the outbox. */
export type CallPurpose = 'read' | 'write';

/**
 * The four Sheets v4 calls we make, over the googleapis client, behind our own
 * resilience: the client's retries are off (it retries no POST and only ~2 s);
 * ours retry 429/5xx/network errors with truncated exponential backoff and
 * decorrelated jitter (single delays up to SHEETS_RETRY_MAX_DELAY_MS), behind one
 * circuit breaker shared by every call, each attempt spending the Google
 * user's budget (SheetsQuota) first. Auth: a service account from
 * GOOGLE_APPLICATION_CREDENTIALS; none in emulator mode (root URL set, no
 * credentials); otherwise Application Default Credentials.
 */
@Injectable()
export class SheetsApi {
  private readonly logger = new Logger('Sheets');
  private readonly client: sheets_v4.Sheets;
  private readonly policies: Record<CallPurpose, IPolicy>;
  private readonly breaker;

  constructor(
    config: AppConfig,
    private readonly metrics: SheetsMetrics,
    private readonly quota: SheetsQuota,
  ) {
    this.client = sheets({
      version: 'v4',
      auth: authFor(config),
      rootUrl: config.SHEETS_API_ROOT_URL ? withSlash(config.SHEETS_API_ROOT_URL) : undefined,
      retry: false,
      timeout: config.SHEETS_REQUEST_TIMEOUT_MS,
    });
    this.breaker = circuitBreaker(handleWhen(isRetryable), {
      halfOpenAfter: config.SHEETS_BREAKER_HALF_OPEN_MS,
      breaker: new ConsecutiveBreaker(config.SHEETS_BREAKER_THRESHOLD),
    });
    this.breaker.onBreak(() => {
      this.metrics.circuitOpen.set(1);
      this.logger.warn('Google Sheets circuit opened: calls fail fast, writes go to the outbox');
    });
    this.breaker.onReset(() => {
      this.metrics.circuitOpen.set(0);
      this.logger.log('Google Sheets circuit closed');
    });
    const backoff = () => new ExponentialBackoff({ initialDelay: config.SHEETS_RETRY_BASE_DELAY_MS, maxDelay: config.SHEETS_RETRY_MAX_DELAY_MS });
    const retrying = (maxAttempts: number) => retry(handleWhen(isRetryable), { maxAttempts, backoff: backoff() });
    this.policies = {
      read: wrap(retrying(config.SHEETS_RETRY_MAX_ATTEMPTS), this.breaker),
      write: wrap(retrying(config.SHEETS_WRITE_INLINE_RETRIES), this.breaker),
    };
  }

  get circuitOpen(): boolean {
    return this.breaker.state === CircuitState.Open;
  }

  /** spreadsheets.get: the tabs' numeric ids, titles and grid sizes. */
  async tabs(spreadsheetId: string, purpose: CallPurpose = 'read'): Promise<TabInfo[]> {
    const res = await this.call('spreadsheets.get', purpose, (signal) =>
      this.client.spreadsheets.get(
        { spreadsheetId, fields: 'sheets.properties(sheetId,title,gridProperties(rowCount,columnCount))' },
        { signal },
      ),
    );
    return (res.data.sheets ?? []).map((s) => ({
      sheetId: s.properties?.sheetId ?? 0,
      title: s.properties?.title ?? '',
      rowCount: s.properties?.gridProperties?.rowCount ?? 0,
      columnCount: s.properties?.gridProperties?.columnCount ?? 0,
    }));
  }

  /** values.batchGet: every range in one call; unformatted values (phone numbers as typed), rows major. */
  async batchGet(spreadsheetId: string, ranges: string[], purpose: CallPurpose = 'read', options: { slotTaken?: boolean } = {}): Promise<unknown[][][]> {
    const res = await this.call(
      'values.batchGet',
      purpose,
      (signal) =>
        this.client.spreadsheets.values.batchGet(
          { spreadsheetId, ranges, majorDimension: 'ROWS', valueRenderOption: 'UNFORMATTED_VALUE', dateTimeRenderOption: 'FORMATTED_STRING' },
          { signal },
        ),
      options.slotTaken === true,
    );
    const valueRanges = res.data.valueRanges ?? [];
    return ranges.map((_, i) => (valueRanges[i]?.values ?? []) as unknown[][]);
  }

  /** values.batchUpdate, RAW (phone numbers and ISO times stay text; no formulas run). */
  async updateValues(spreadsheetId: string, data: { range: string; values: unknown[][] }[], purpose: CallPurpose = 'write'): Promise<void> {
    await this.call('values.batchUpdate', purpose, (signal) =>
      this.client.spreadsheets.values.batchUpdate({ spreadsheetId, requestBody: { valueInputOption: 'RAW', data } }, { signal }),
    );
  }

  /**
   * spreadsheets.batchUpdate: formatting and grid requests, applied atomically.
   * `slotTaken` (here and on batchGet): the caller took this request's slot of
   * the budget just before (the flusher does, before it claims the queue);
   * retries take their own.
   */
  async batchUpdate(
    spreadsheetId: string,
    requests: sheets_v4.Schema$Request[],
    purpose: CallPurpose = 'write',
    options: { slotTaken?: boolean; echo?: string[] } = {},
  ): Promise<Map<number, EchoedRange[]>> {
    const echo = options.echo ?? [];
    const res = await this.call(
      'spreadsheets.batchUpdate',
      purpose,
      (signal) =>
        this.client.spreadsheets.batchUpdate(
          echo.length === 0
            ? { spreadsheetId, requestBody: { requests } }
            : {
                spreadsheetId,
                // the field mask keeps the answer to the echoed cells' values (with a mask, responseIncludeGridData is not needed)
                fields: 'updatedSpreadsheet.sheets(properties.sheetId,data(startRow,startColumn,rowData.values.effectiveValue))',
                requestBody: { requests, includeSpreadsheetInResponse: true, responseRanges: echo },
              },
          { signal },
        ),
      options.slotTaken === true,
    );
    return echoedRanges(res.data);
  }

  private async call<T>(method: string, purpose: CallPurpose, fn: (signal: AbortSignal) => Promise<T>, slotTaken = false): Promise<T> {
    let attempt = 0;
    const kind: QuotaKind = method === 'spreadsheets.get' || method === 'values.batchGet' ? 'read' : 'write';
    try {
      return await this.policies[purpose].execute(async ({ signal }) => {
        if (attempt++ > 0) this.metrics.retries.inc({ method });
        // every attempt, retries included, spends the Google user's budget shared by all nodes
        if (attempt > 1 || !slotTaken) await this.quota.take(kind);
        const timer = this.metrics.duration.startTimer({ method });
        try {
          const result = await fn(signal);
          this.metrics.requests.inc({ method, status: '200' });
          timer({ status: '200' });
          return result;
        } catch (err) {
          const e = toSheetsApiError(err);
          const status = String(e.status ?? 0);
          timer({ status });
          this.metrics.requests.inc({ method, status });
          this.metrics.errors.inc({ method, status });
          if (e.status === 429) this.quota.pushedBack(kind);
          throw e;
        }
      });
    } catch (err) {
      if (err instanceof BrokenCircuitError) throw new SheetsApiError('Google Sheets circuit is open (recent calls failed)', null, true);
      throw toSheetsApiError(err);
    }
  }
}

export type SheetsAuth = InstanceType<typeof auth.GoogleAuth>;

/** Service account from GOOGLE_APPLICATION_CREDENTIALS; none in emulator mode; else Application Default Credentials. */
export function authFor(config: AppConfig): SheetsAuth | undefined {
  const keyFile = config.GOOGLE_APPLICATION_CREDENTIALS;
  if (keyFile) {
    try {
      accessSync(keyFile, constants.R_OK);
    } catch {
      throw new ConfigError([`GOOGLE_APPLICATION_CREDENTIALS: cannot read the service-account key file ${keyFile}`]);
    }
    return new auth.GoogleAuth({ keyFile, scopes: [SHEETS_SCOPE] });
  }
  // emulator mode, as Google's emulators do it: a local endpoint and no credentials → no auth
  if (config.SHEETS_API_ROOT_URL) return undefined;
  return new auth.GoogleAuth({ scopes: [SHEETS_SCOPE] });
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Cells a write asked Google to send back as they are after it: one range's text by row and column, its corner 0-based. */
export interface EchoedRange {
  startRow: number;
  startColumn: number;
  rows: string[][];
}

/** The echoed ranges of a batchUpdate's answer by sheetId (effective values, as `values.batchGet` UNFORMATTED_VALUE gives them). */
function echoedRanges(data: sheets_v4.Schema$BatchUpdateSpreadsheetResponse | undefined): Map<number, EchoedRange[]> {
  const out = new Map<number, EchoedRange[]>();
  for (const sheet of data?.updatedSpreadsheet?.sheets ?? []) {
    if (sheet.properties?.sheetId == null || !sheet.data) continue;
    out.set(
      sheet.properties.sheetId,
      sheet.data.map((grid) => ({
        startRow: grid.startRow ?? 0,
        startColumn: grid.startColumn ?? 0,
        rows: (grid.rowData ?? []).map((row) =>
          (row.values ?? []).map((cell) => {
            const v = cell.effectiveValue;
            return cellString(v?.stringValue ?? v?.numberValue ?? v?.boolValue ?? '').trim();
          }),
        ),
      })),
    );
  }
  return out;
}
