import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { Sql } from '../infra/database/sql.js';
import type { AttemptFiltersDto, AttemptHistoryItemDto, AttemptSummaryRowDto } from './dto/attempt-history.dto.js';

const COLUMNS = `id, agent_email, campaign_name, spreadsheet_id, tab_id, row_id, number_index, phone, status, disposition, notes,
  dialpad_call_id, dialed_at, connected_at, ended_at, dispositioned_at,
  coalesce((extract(epoch FROM (ended_at - connected_at)) * 1000)::bigint, 0) AS talk_time_ms,
  to_char(dialed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;

export type HistoryRow = AttemptHistoryItemDto & { cursor_at: string };

/** The attempt history as supervisors read it: filtered pages, and summaries computed in SQL. Every method takes the tenant id. */
@Injectable()
export class AttemptHistoryRepository {
  constructor(private readonly db: Sql) {}

  /** Newest first, after the cursor (the last row's exact dialed_at and id). */
  async page(appId: AppId, f: AttemptFiltersDto, limit: number, after: { at: string; id: string } | null): Promise<HistoryRow[]> {
    const { where, params } = filters(appId, f);
    if (after) {
      params.push(after.at, after.id);
      where.push(`(dialed_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit);
    const rows = await this.db.query<HistoryRow & { talk_time_ms: string }>(
      `SELECT ${COLUMNS} FROM dialer_attempts WHERE ${where.join(' AND ')} ORDER BY dialed_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({ ...r, talk_time_ms: Number(r.talk_time_ms) }));
  }

  /** Per agent or per campaign over the range: dials, connects, talk time, dispositions by code, dials per hour, pause time by reason. */
  async summary(appId: AppId, groupBy: 'agent' | 'campaign', range: { from?: string; to?: string }): Promise<AttemptSummaryRowDto[]> {
    const key = groupBy === 'agent' ? 'agent_email' : `coalesce(campaign_name, '')`;
    const { where, params } = filters(appId, range);
    const pauseWhere = ['app_id = $1'];
    if (range.from) pauseWhere.push(`started_at >= $${params.indexOf(range.from) + 1}::timestamptz`);
    if (range.to) pauseWhere.push(`started_at < $${params.indexOf(range.to) + 1}::timestamptz`);
    const rows = await this.db.query<{
      key: string;
      dials: string;
      connects: string;
      talk_time_ms: string;
      dispositions: Record<string, number> | null;
      span_ms: string;
      pauses: Record<string, number> | null;
    }>(
      `WITH a AS (
         SELECT ${key} AS key, * FROM dialer_attempts WHERE ${where.join(' AND ')} AND status <> 'failed'
       ), totals AS (
         SELECT key, count(*) AS dials, count(connected_at) AS connects,
                coalesce(sum(extract(epoch FROM (ended_at - connected_at)) * 1000), 0)::bigint AS talk_time_ms,
                (extract(epoch FROM (max(dialed_at) - min(dialed_at))) * 1000)::bigint AS span_ms
           FROM a GROUP BY key
       ), dispos AS (
         SELECT key, jsonb_object_agg(disposition, n) AS dispositions
           FROM (SELECT key, disposition, count(*) AS n FROM a WHERE disposition IS NOT NULL GROUP BY key, disposition) d GROUP BY key
       ), pauses AS (
         SELECT key, jsonb_object_agg(reason, ms) AS pauses FROM (
           SELECT ${groupBy === 'agent' ? 'agent_email' : 'campaign_name'} AS key, reason,
                  sum(extract(epoch FROM (coalesce(ended_at, now()) - started_at)) * 1000)::bigint AS ms
             FROM dialer_pauses WHERE ${pauseWhere.join(' AND ')} GROUP BY 1, 2) p GROUP BY key
       )
       SELECT coalesce(t.key, p.key) AS key, coalesce(t.dials, 0)::text AS dials, coalesce(t.connects, 0)::text AS connects,
              coalesce(t.talk_time_ms, 0)::text AS talk_time_ms, d.dispositions, coalesce(t.span_ms, 0)::text AS span_ms, p.pauses
         FROM totals t FULL JOIN pauses p ON p.key = t.key LEFT JOIN dispos d ON d.key = coalesce(t.key, p.key)
        ORDER BY 1`,
      params,
    );
    return rows.map((r) => {
      const dials = Number(r.dials);
      const connects = Number(r.connects);
      const hours = Math.max(Number(r.span_ms) / 3_600_000, 1);
      return {
        key: r.key,
        dials,
        connects,
        connect_rate: dials > 0 ? Math.round((connects / dials) * 1000) / 1000 : 0,
        talk_time_ms: Number(r.talk_time_ms),
        dispositions: r.dispositions ?? {},
        dials_per_hour: Math.round((dials / hours) * 10) / 10,
        pause_time_ms: r.pauses ?? {},
      };
    });
  }
}

/** The WHERE of the filters, every value a parameter ($1 is the tenant). */
function filters(appId: AppId, f: AttemptFiltersDto): { where: string[]; params: unknown[] } {
  const where = ['app_id = $1'];
  const params: unknown[] = [appId];
  const add = (sql: (n: number) => string, value: unknown) => {
    params.push(value);
    where.push(sql(params.length));
  };
  if (f.agent) add((n) => `agent_email = lower($${n})`, f.agent);
  if (f.campaign) add((n) => `campaign_name = $${n}`, f.campaign);
  if (f.row_id) add((n) => `row_id = $${n}`, f.row_id);
  if (f.phone) add((n) => `phone = $${n}`, f.phone);
  if (f.outcome === 'none') where.push('disposition IS NULL');
  else if (f.outcome) add((n) => `disposition = $${n}`, f.outcome);
  if (f.from) add((n) => `dialed_at >= $${n}::timestamptz`, f.from);
  if (f.to) add((n) => `dialed_at < $${n}::timestamptz`, f.to);
  return { where, params };
}
