/**
 * The rows of `table` whose unique key (app_id, `keyColumn`) is one of the pairs given as `$1::uuid[]` and
 * `$2::text[]`, as SQL text: one probe of the key's unique index per pair, in the arrays' order, taking each row's
 * lock in that order when `lock` is set (callers pass their keys sorted: one global lock order keeps concurrent
 * batches free of deadlocks). `columns` is the select list, written against the table's own columns.
 *
 * Not `WHERE (app_id, key) IN (SELECT * FROM unnest($1, $2))`: planned as a join, its row estimate comes from
 * the table's statistics, and where those are missing (a table never analyzed: autovacuum off, or not yet run
 * since it grew) the planner takes each pair to match hundreds of rows. With a few hundred keys it then preferred a
 * parallel sequential scan of `calls` with a hash join, 80–150 ms a batch at 140,000 calls (auto_explain in a 10 s
 * burst): a slow batch makes the next one bigger, so processing fell further behind with every burst. Each pair
 * here is a LATERAL subquery with LIMIT 1 (the key is unique), which the planner cannot flatten into a join: it
 * can only run per pair, through the index, whatever the statistics say.
 */
export function rowsByKeys(options: { table: string; keyColumn: string; columns: string; lock?: boolean }): string {
  const { table, keyColumn, columns, lock = false } = options;
  return `SELECT t.* FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS k(app_id, key, n)
    CROSS JOIN LATERAL (SELECT ${columns} FROM ${table}
                         WHERE ${table}.app_id = k.app_id AND ${table}.${keyColumn} = k.key LIMIT 1${lock ? ' FOR UPDATE' : ''}) AS t
    ORDER BY k.n`;
}
