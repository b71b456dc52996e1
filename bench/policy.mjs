// Policy decision time over 10,000 rows (target: well under 5 ms).
// Run: `npm run build && node bench/policy.mjs` (imports the built engine from dist/;
// BENCH_DIST=<dir> points at another build of the project).
// Worst case for the scan: every row but the last is passed over (done, retry pending,
// outside its window, exhausted, in progress), so pickNext looks at all 10,000.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const DIST = process.env.BENCH_DIST ? pathToFileURL(`${process.env.BENCH_DIST.replace(/\/$/, '')}/`) : new URL('../dist/', import.meta.url);
const ENGINE = new URL('src/policy/index.js', DIST);

const AREA_CODES = ['212', '312', '303', '310', '808', '605', '617', '415', '713', '206', '404', '602'];
const NOW = new Date('2024-11-20T17:00:00Z'); // noon New York, 07:00 Honolulu

function buildRows(count) {
  const rows = [];
  for (let i = 0; i < count; i++) {
    const numbers = Array.from({ length: 10 }, (_, j) =>
      j < 3 ? `(${AREA_CODES[(i + j) % AREA_CODES.length]}) 555-${String((i * 3 + j) % 10000).padStart(4, '0')}` : '',
    );
    const last = i === count - 1;
    const kind = last ? 'open' : ['done', 'retry', 'open-hawaii', 'exhausted', 'busy'][i % 5];
    const statuses = Array.from({ length: 10 }, (_, j) => (j >= 3 ? '' : kind === 'done' ? 'WRONG' : kind === 'busy' && j === 0 ? 'IN_PROGRESS' : 'NO_ANSWER'));
    if (kind === 'open-hawaii') numbers.splice(0, 3, '(808) 555-0100', '(808) 555-0101', '');
    rows.push({
      rowIndex: i + 2,
      rowId: `R${i + 1}`,
      name: `Lead ${i + 1}`,
      numbers,
      statuses,
      notes: '',
      lastOutcome: kind === 'retry' ? 'NO_ANSWER' : '',
      attemptCount: kind === 'exhausted' ? '6' : '1',
      nextIndex: '2',
      lastCalledAt: kind === 'retry' ? new Date(NOW.getTime() - 10 * 60_000).toISOString() : '',
      timezone: '',
      extra: {},
    });
  }
  return rows;
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/** Measures pickNext over `rowCount` rows: the first (cold) call, then p50/p99 of `runs` warm calls. */
export async function measurePolicyDecision({ rowCount = 10_000, runs = 300 } = {}) {
  if (!existsSync(ENGINE)) throw new Error('dist/ is missing: run `npm run build` first');
  const { pickNext, resolvePolicy } = await import(ENGINE.href);
  const policy = resolvePolicy();
  const rows = buildRows(rowCount);
  const input = { readyState: 'PLAY', rows, policy, now: NOW, reserved: { rowIds: new Set(['R5']), numbers: new Set(['+12125550000']) } };
  let t0 = performance.now();
  const first = pickNext(input);
  const coldMs = performance.now() - t0;
  if (first.pick?.rowIndex !== rowCount + 1) throw new Error(`unexpected pick ${JSON.stringify(first.pick)}`);
  const times = [];
  const quiet = [];
  for (let i = 0; i < runs; i++) {
    t0 = performance.now();
    pickNext(input);
    times.push(performance.now() - t0);
    t0 = performance.now();
    pickNext({ ...input, explain: false });
    quiet.push(performance.now() - t0);
  }
  // after each disposition the dialer hands over a new array with the written row replaced
  const afterChange = [];
  let current = rows;
  for (let i = 0; i < 100; i++) {
    const next = [...current];
    const k = (i * 97) % (rowCount - 1);
    next[k] = { ...next[k], attemptCount: String(2 + (i % 3)) };
    current = next;
    t0 = performance.now();
    pickNext({ ...input, rows: current });
    afterChange.push(performance.now() - t0);
  }
  // compliance (issue 16): a 100,000-number do-not-call list holding the open lead's first number,
  // and 1,000 pending callbacks — 990 not due yet, 10 due but on the list (each looked at, none dialable)
  const { toE164 } = await import(ENGINE.href);
  const dnc = new Set(Array.from({ length: 100_000 }, (_, i) => `+1646${String(1_000_000 + i).slice(1)}`));
  const lastRow = rows[rows.length - 1];
  dnc.add(toE164(lastRow.numbers[0], 'US'));
  const callbacks = Array.from({ length: 1000 }, (_, i) => ({
    id: `cb${i}`,
    rowId: `R${(i * 7) % rowCount + 1}`,
    numberIndex: 1,
    dueAtMs: i < 10 ? NOW.getTime() - 60_000 : NOW.getTime() + (i + 1) * 60_000,
  }));
  for (const c of callbacks.slice(0, 10)) {
    const r = rows[Number(c.rowId.slice(1)) - 1];
    const e = toE164(r.numbers[0], 'US');
    if (e) dnc.add(e);
  }
  const compliant = { ...input, dnc, callbacks, explain: false };
  const withDnc = pickNext(compliant);
  if (withDnc.pick?.rowIndex !== rowCount + 1 || withDnc.pick.numberIndex === 1) throw new Error(`unexpected compliance pick ${JSON.stringify(withDnc.pick)}`);
  const complianceTimes = [];
  for (let i = 0; i < runs; i++) {
    t0 = performance.now();
    pickNext(compliant);
    complianceTimes.push(performance.now() - t0);
  }
  return {
    rows: rowCount,
    compliance_p50_ms: percentile(complianceTimes, 50),
    compliance_p99_ms: percentile(complianceTimes, 99),
    cold_ms: coldMs,
    p50_ms: percentile(times, 50),
    p99_ms: percentile(times, 99),
    no_explain_p50_ms: percentile(quiet, 50),
    no_explain_p99_ms: percentile(quiet, 99),
    after_one_row_changed_p50_ms: percentile(afterChange, 50),
    skipped_reported: first.skipped.length,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await measurePolicyDecision();
  const f = (v) => v.toFixed(3);
  process.stdout.write(
    `policy decision over ${r.rows.toLocaleString('en-US')} rows (all scanned, ${r.skipped_reported} passed over): ` +
      `p50 ${f(r.p50_ms)} ms, p99 ${f(r.p99_ms)} ms; counts only (explain: false) p50 ${f(r.no_explain_p50_ms)} ms, ` +
      `p99 ${f(r.no_explain_p99_ms)} ms; first call (cold: parses every number) ${f(r.cold_ms)} ms; ` +
      `after a write (new array, one row replaced) p50 ${f(r.after_one_row_changed_p50_ms)} ms (target < 5 ms)\n`,
  );
}
