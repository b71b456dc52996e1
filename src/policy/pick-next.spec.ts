import { agentRow, agentRows, CHICAGO, DENVER, HONOLULU, LA, NY, NY2, SOUTH_DAKOTA, TOLL_FREE } from '../../test/support/policy-rows.js';
import { resolvePolicy } from './campaign-policy.js';
import { warmLeads } from './lead.js';
import { type PickInput, pickNext } from './pick-next.js';
import type { AgentRow } from './policy.types.js';
import { applyChanges } from './row-changes.js';

/** Wednesday 2024-11-20 12:00 in New York (EST), 09:00 in Los Angeles, 07:00 in Honolulu. */
const NOON_NY = new Date('2024-11-20T17:00:00Z');
const policy = resolvePolicy();

const pick = (rows: AgentRow[], over: Partial<PickInput> = {}) => pickNext({ readyState: 'PLAY', rows, policy, now: NOON_NY, ...over });
const picked = (rows: AgentRow[], over: Partial<PickInput> = {}) => {
  const p = pick(rows, over).pick;
  return p && { rowId: p.rowId, numberIndex: p.numberIndex };
};
const minutesBefore = (d: Date, m: number) => new Date(d.getTime() - m * 60_000);

describe('pickNext — rule 1: ready state', () => {
  it.each(['PAUSE', 'STOP', '', 'play'])('%p never dials', (readyState) => {
    const result = pick([agentRow()], { readyState });
    expect(result).toEqual({ pick: null, skipped: [], summary: expect.objectContaining({ outcome: 'NOT_PLAYING', scanned: 0 }) });
  });

  it('PLAY dials the first lead with its number in E.164', () => {
    const result = pick([agentRow({ rowIndex: 7, rowId: 'L-7', name: 'Grace', numbers: ['(212) 555-0123'] })]);
    expect(result.pick).toEqual({ rowId: 'L-7', rowIndex: 7, name: 'Grace', numberIndex: 1, phone: '+12125550123' });
    expect(result.summary.outcome).toBe('PICKED');
  });
});

describe('pickNext — rule 2: calling window in the called person\'s local time', () => {
  const at = (iso: string) => new Date(iso);
  it.each([
    ['07:59 New York (EST)', NY, '2024-11-20T12:59:00Z', null],
    ['08:00 New York, start is inclusive', NY, '2024-11-20T13:00:00Z', 1],
    ['20:59 New York', NY, '2024-11-21T01:59:00Z', 1],
    ['21:00 New York, end is exclusive', NY, '2024-11-21T02:00:00Z', null],
    ['07:00 Honolulu while noon in New York', HONOLULU, '2024-11-20T17:00:00Z', null],
    ['08:00 Honolulu', HONOLULU, '2024-11-20T18:00:00Z', 1],
    ['06:00 Los Angeles', LA, '2024-11-20T14:00:00Z', null],
    ['08:00 Chicago', CHICAGO, '2024-11-20T14:00:00Z', 1],
    ['07:00 Denver', DENVER, '2024-11-20T14:00:00Z', null],
  ])('%s', (_label, number, iso, expected) => {
    const result = pick([agentRow({ numbers: [number] })], { now: at(iso) });
    expect(result.pick?.numberIndex ?? null).toBe(expected);
    if (expected === null) expect(result.skipped).toEqual([{ rowId: 'R1', rowIndex: 2, numberIndex: 1, reason: 'OUTSIDE_WINDOW' }]);
  });

  describe('a number spanning two zones (605: Mountain and Central) counts only the hours inside the window in both', () => {
    it.each([
      ['08:30 Central, 07:30 Mountain', '2024-11-20T14:30:00Z', null],
      ['09:00 Central, 08:00 Mountain', '2024-11-20T15:00:00Z', 1],
      ['20:30 Central, 19:30 Mountain', '2024-11-21T02:30:00Z', 1],
      ['21:00 Central, 20:00 Mountain', '2024-11-21T03:00:00Z', null],
    ])('%s', (_label, iso, expected) => {
      expect(pick([agentRow({ numbers: [SOUTH_DAKOTA] })], { now: at(iso) }).pick?.numberIndex ?? null).toBe(expected);
    });
  });

  describe('DST changes move the window with the wall clock', () => {
    it.each([
      ['the day before spring forward, 12:30Z is 07:30 EST', '2024-03-09T12:30:00Z', null],
      ['spring forward day, 12:30Z is 08:30 EDT', '2024-03-10T12:30:00Z', 1],
      ['the day before fall back, 12:30Z is 08:30 EDT', '2024-11-02T12:30:00Z', 1],
      ['fall back day, 12:30Z is 07:30 EST', '2024-11-03T12:30:00Z', null],
      ['fall back day, 00:59Z is 20:59 EDT', '2024-11-03T00:59:00Z', 1],
      ['spring forward evening, 01:00Z (Mar 11) is 21:00 EDT', '2024-03-11T01:00:00Z', null],
    ])('%s', (_label, iso, expected) => {
      expect(pick([agentRow({ numbers: [NY] })], { now: at(iso) }).pick?.numberIndex ?? null).toBe(expected);
    });
  });

  it('the row\'s Timezone wins over the area code', () => {
    const sixAmLa = at('2024-11-20T14:00:00Z'); // 09:00 New York
    expect(picked([agentRow({ numbers: [NY], timezone: 'America/Los_Angeles' })], { now: sixAmLa })).toBeNull();
    expect(picked([agentRow({ numbers: [LA], timezone: 'America/New_York' })], { now: sixAmLa })).toEqual({ rowId: 'R1', numberIndex: 1 });
    expect(picked([agentRow({ numbers: [NY], timezone: 'PT' })], { now: sixAmLa })).toBeNull();
  });

  it('a Timezone cell that is not a zone is ignored (the area code decides)', () => {
    expect(picked([agentRow({ numbers: [NY], timezone: 'Mars/Olympus' })], { now: at('2024-11-20T14:00:00Z') })).toEqual({ rowId: 'R1', numberIndex: 1 });
  });

  it('a number with no known zone falls back to the campaign zone', () => {
    const nineNy = at('2024-11-20T14:00:00Z'); // 06:00 Los Angeles
    expect(picked([agentRow({ numbers: [TOLL_FREE] })], { now: nineNy })).toEqual({ rowId: 'R1', numberIndex: 1 });
    const laCampaign = resolvePolicy({ defaultTimezone: 'America/Los_Angeles' });
    expect(picked([agentRow({ numbers: [TOLL_FREE] })], { now: nineNy, policy: laCampaign })).toBeNull();
  });

  it('each number of a lead is checked in its own zone: the one inside the window is dialed', () => {
    const sixAmLa = at('2024-11-20T14:00:00Z');
    expect(picked([agentRow({ numbers: [LA, NY], nextIndex: 1 })], { now: sixAmLa })).toEqual({ rowId: 'R1', numberIndex: 2 });
  });

  it('a zone lookup can be given (the dialer may know better than the area code)', () => {
    const nineNy = at('2024-11-20T14:00:00Z'); // 06:00 Los Angeles
    const everyoneInLa = () => ['America/Los_Angeles'];
    expect(picked([agentRow({ numbers: [NY] })], { now: nineNy, zones: everyoneInLa })).toBeNull();
    expect(picked([agentRow({ numbers: [NY] })], { now: nineNy, zones: () => null })).toEqual({ rowId: 'R1', numberIndex: 1 }); // unknown: campaign zone
    expect(picked([agentRow({ numbers: [NY], timezone: 'America/New_York' })], { now: nineNy, zones: everyoneInLa })).not.toBeNull();
  });

  it('disabled: any hour', () => {
    const threeAm = at('2024-11-20T08:00:00Z');
    expect(picked([agentRow()], { now: threeAm })).toBeNull();
    const off = resolvePolicy({ callingWindow: { enabled: false } });
    expect(picked([agentRow()], { now: threeAm, policy: off })).toEqual({ rowId: 'R1', numberIndex: 1 });
  });

  it('custom hours', () => {
    const tenToSix = resolvePolicy({ callingWindow: { start: '10:00', end: '18:00' } });
    expect(picked([agentRow()], { now: at('2024-11-20T14:30:00Z'), policy: tenToSix })).toBeNull(); // 09:30
    expect(picked([agentRow()], { now: at('2024-11-20T15:00:00Z'), policy: tenToSix })).toEqual({ rowId: 'R1', numberIndex: 1 });
  });
});

describe('pickNext — rule 3: retry delay since LastCalledAt, per last outcome', () => {
  it.each([
    ['NO_ANSWER', 59, 'RETRY_PENDING'],
    ['NO_ANSWER', 60, 'picked'],
    ['VM_SAME_NAME', 179, 'RETRY_PENDING'],
    ['VM_SAME_NAME', 180, 'picked'],
    ['VM_OR_NA_UNKNOWN', 179, 'RETRY_PENDING'],
    ['VM_OR_NA_UNKNOWN', 180, 'picked'],
    ['WRONG', 0, 'picked'],
    ['SKIP', 0, 'picked'],
    ['', 0, 'picked'],
  ])('%s %i min ago → %s', (lastOutcome, minutes, expected) => {
    const lastCalledAt = minutesBefore(NOON_NY, minutes);
    const result = pick([agentRow({ numbers: [NY, NY2], statuses: ['NO_ANSWER'], lastOutcome, lastCalledAt, nextIndex: 2 })]);
    if (expected === 'picked') {
      expect(result.pick?.numberIndex).toBe(2);
    } else {
      expect(result.pick).toBeNull();
      const delay = lastOutcome === 'NO_ANSWER' ? 60 : 180;
      const until = new Date(lastCalledAt.getTime() + delay * 60_000).toISOString();
      expect(result.skipped).toEqual([{ rowId: 'R1', rowIndex: 2, reason: 'RETRY_PENDING', until }]);
    }
  });

  it('the delay is elapsed time, not wall-clock time, across a DST change', () => {
    const anyHour = resolvePolicy({ callingWindow: { enabled: false } });
    // 01:30 EST on spring-forward night; one hour later the wall clock reads 03:30 EDT
    const row = agentRow({ lastOutcome: 'NO_ANSWER', lastCalledAt: '2024-03-10T06:30:00Z', statuses: ['NO_ANSWER'] });
    expect(picked([row], { policy: anyHour, now: new Date('2024-03-10T07:29:00Z') })).toBeNull();
    expect(picked([row], { policy: anyHour, now: new Date('2024-03-10T07:30:00Z') })).toEqual({ rowId: 'R1', numberIndex: 1 });
  });

  it('custom delays and disabled retries', () => {
    const row = agentRow({ lastOutcome: 'NO_ANSWER', lastCalledAt: minutesBefore(NOON_NY, 20), statuses: ['NO_ANSWER'] });
    expect(picked([row])).toBeNull();
    expect(picked([row], { policy: resolvePolicy({ retry: { delayMinutes: { NO_ANSWER: 15 } } }) })).not.toBeNull();
    expect(picked([row], { policy: resolvePolicy({ retry: { enabled: false } }) })).not.toBeNull();
  });

  it('a LastCalledAt that is not a date does not block the lead', () => {
    expect(picked([agentRow({ lastOutcome: 'NO_ANSWER', lastCalledAt: 'yesterday-ish' })])).not.toBeNull();
  });
});

describe('pickNext — rule 4: a lead with a CORRECT number is done', () => {
  it('its other open numbers are passed over as SIBLING_CORRECT, the next lead is dialed', () => {
    const rows = agentRows([{ numbers: [NY, NY2], statuses: ['CORRECT', 'NEW'] }, { numbers: [CHICAGO] }]);
    const result = pick(rows);
    expect(result.pick).toMatchObject({ rowId: 'R2', numberIndex: 1 });
    expect(result.skipped).toEqual([{ rowId: 'R1', rowIndex: 2, reason: 'SIBLING_CORRECT' }]);
  });
});

describe('pickNext — rule 5: attempts', () => {
  it.each([
    [5, 'picked'],
    [6, 'MAX_ATTEMPTS'],
    [9, 'MAX_ATTEMPTS'],
  ])('AttemptCount %i with the default maximum of 6 → %s', (attemptCount, expected) => {
    const result = pick([agentRow({ attemptCount })]);
    if (expected === 'picked') expect(result.pick).not.toBeNull();
    else expect(result.skipped).toEqual([{ rowId: 'R1', rowIndex: 2, reason: 'MAX_ATTEMPTS' }]);
  });

  it('a campaign maximum', () => {
    expect(picked([agentRow({ attemptCount: 2 })], { policy: resolvePolicy({ maxAttempts: 2 }) })).toBeNull();
    expect(picked([agentRow({ attemptCount: 2 })], { policy: resolvePolicy({ maxAttempts: 3 }) })).not.toBeNull();
  });

  it('the optional per-number cap in any 24 h skips a number dialed too often, not its lead', () => {
    const capped = resolvePolicy({ maxAttemptsPerNumberPer24h: 2 });
    const recentDials = new Map([[NY, [minutesBefore(NOON_NY, 30).getTime(), minutesBefore(NOON_NY, 23 * 60).getTime()]]]);
    const row = agentRow({ numbers: [NY, NY2] });
    const result = pick([row], { policy: capped, recentDials });
    expect(result.pick).toMatchObject({ numberIndex: 2 });
    // dials older than 24 h do not count; no cap configured: no limit
    const old = new Map([[NY, [minutesBefore(NOON_NY, 30).getTime(), minutesBefore(NOON_NY, 24 * 60).getTime()]]]);
    expect(picked([row], { policy: capped, recentDials: old })).toMatchObject({ numberIndex: 1 });
    expect(picked([row], { recentDials })).toMatchObject({ numberIndex: 1 });
    const onlyCapped = pick([agentRow({ numbers: [NY] })], { policy: capped, recentDials });
    expect(onlyCapped.skipped).toEqual([{ rowId: 'R1', rowIndex: 2, numberIndex: 1, reason: 'DAILY_CAP' }]);
  });
});

describe('pickNext — rule 6: NextIndex round-robin, rows top to bottom', () => {
  const four = [NY, NY2, CHICAGO, DENVER];
  const noon = { now: new Date('2024-11-20T18:00:00Z') }; // 11:00 Denver
  it.each([
    ['', [], 1],
    ['1', [], 1],
    ['2', [], 2],
    ['4', [], 4],
    ['3 (WRONG) → the next eligible, 4', ['NEW', 'NEW', 'WRONG', 'NEW'], 4],
    ['4 (EXHAUSTED) wraps to 1', ['NEW', 'NEW', 'NEW', 'EXHAUSTED'], 1],
    ['7 (no number there) wraps to 1', [], 1],
    ['garbage → 1', [], 1],
    ['0 → 1', [], 1],
  ])('NextIndex %s', (label, statuses, expected) => {
    const nextIndex = label.split(' ')[0]!;
    expect(pick([agentRow({ numbers: four, statuses, nextIndex: nextIndex === 'garbage' ? 'abc' : nextIndex })], noon).pick?.numberIndex).toBe(expected);
  });

  it('10 numbers: NextIndex 10 dials Num10, and wraps past the end', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `+1212555${String(100 + i).padStart(4, '0')}`);
    expect(pick([agentRow({ numbers: ten, nextIndex: 10 })]).pick).toMatchObject({ numberIndex: 10, phone: ten[9] });
    const lastWrong = Array.from({ length: 10 }, (_, i) => (i === 9 ? 'WRONG' : 'NEW'));
    expect(pick([agentRow({ numbers: ten, statuses: lastWrong, nextIndex: 10 })]).pick).toMatchObject({ numberIndex: 1 });
  });

  it('the first lead from the top with an eligible number', () => {
    const rows = agentRows([
      { numbers: [NY], statuses: ['WRONG'] },
      { numbers: [HONOLULU] },
      { numbers: [NY2] },
      { numbers: [CHICAGO] },
    ]);
    const result = pick(rows);
    expect(result.pick).toMatchObject({ rowId: 'R3', rowIndex: 4 });
    expect(result.skipped).toEqual([{ rowId: 'R2', rowIndex: 3, numberIndex: 1, reason: 'OUTSIDE_WINDOW' }]);
    expect(result.summary).toEqual({ outcome: 'PICKED', scanned: 3, done: 1, empty: 0, passed: 1, byReason: { OUTSIDE_WINDOW: 1 } });
  });
});

describe('pickNext — rule 7: the same number never twice', () => {
  it('a number repeated in the lead (another spelling of the same E.164) is never dialed', () => {
    const row = agentRow({ numbers: ['(212) 555-0123', '+1 212-555-0123'], statuses: ['WRONG', 'NEW'] });
    const result = pick([row]);
    expect(result.pick).toBeNull();
    expect(result.skipped).toEqual([{ rowId: 'R1', rowIndex: 2, numberIndex: 2, reason: 'DUPLICATE_NUMBER' }]);
  });

  it('a number reserved by another dial is passed over; the lead\'s other number is dialed', () => {
    const result = pick([agentRow({ numbers: [NY, NY2] })], { reserved: { numbers: new Set([NY]) } });
    expect(result.pick).toMatchObject({ numberIndex: 2, phone: NY2 });
    const only = pick([agentRow({ numbers: [NY] }), agentRow({ rowId: 'R2', rowIndex: 3, numbers: [CHICAGO] })], { reserved: { numbers: new Set([NY]) } });
    expect(only.pick).toMatchObject({ rowId: 'R2' });
    expect(only.skipped).toEqual([{ rowId: 'R1', rowIndex: 2, numberIndex: 1, reason: 'RESERVED' }]);
  });

  it('a reserved row is passed over whole', () => {
    const rows = agentRows([{ numbers: [NY] }, { numbers: [CHICAGO] }]);
    const result = pick(rows, { reserved: { rowIds: new Set(['R1']) } });
    expect(result.pick).toMatchObject({ rowId: 'R2' });
    expect(result.skipped).toEqual([{ rowId: 'R1', rowIndex: 2, reason: 'RESERVED' }]);
  });
});

describe('pickNext — statuses and numbers that are never dialed', () => {
  it.each(['CORRECT', 'WRONG', 'SKIPPED', 'EXHAUSTED', 'correct', ' Wrong '])('terminal %p: the lead is done', (status) => {
    const result = pick([agentRow({ statuses: [status] })]);
    expect(result.pick).toBeNull();
    expect(result.skipped).toEqual([]);
    expect(result.summary).toMatchObject({ outcome: 'NO_ELIGIBLE_LEAD', done: 1, passed: 0 });
  });

  it.each(['', 'NEW', 'VOICEMAIL', 'NO_ANSWER', 'no answer', 'vm'])('open %p: dialed', (status) => {
    expect(picked([agentRow({ statuses: [status] })])).not.toBeNull();
  });

  it('IN_PROGRESS: the whole lead waits, even its NEW numbers', () => {
    const result = pick([agentRow({ numbers: [NY, NY2], statuses: ['IN_PROGRESS', 'NEW'] })]);
    expect(result.pick).toBeNull();
    expect(result.skipped).toEqual([{ rowId: 'R1', rowIndex: 2, reason: 'IN_PROGRESS' }]);
  });

  it('a status the dialer does not know ("DNC") is never dialed', () => {
    const result = pick([agentRow({ numbers: [NY, NY2], statuses: ['DNC', 'NEW'] })]);
    expect(result.pick).toMatchObject({ numberIndex: 2 });
    expect(pick([agentRow({ statuses: ['Do not call'] })]).skipped).toEqual([{ rowId: 'R1', rowIndex: 2, numberIndex: 1, reason: 'UNKNOWN_STATUS' }]);
  });

  it('an unparseable number is never dialed; the lead\'s valid number is', () => {
    expect(pick([agentRow({ numbers: ['call me maybe', NY2] })]).pick).toMatchObject({ numberIndex: 2 });
    expect(pick([agentRow({ numbers: ['555-12'] })]).skipped).toEqual([{ rowId: 'R1', rowIndex: 2, numberIndex: 1, reason: 'INVALID_NUMBER' }]);
  });

  it('numbers without a country code use the campaign region', () => {
    expect(pick([agentRow({ numbers: ['212 555 0123'] })]).pick?.phone).toBe('+12125550123');
    const uk = resolvePolicy({ defaultRegion: 'GB', defaultTimezone: 'Europe/London', callingWindow: { enabled: false } });
    expect(pick([agentRow({ numbers: ['020 7946 0018'] })], { policy: uk }).pick?.phone).toBe('+442079460018');
  });

  it('all numbers terminal, empty rows, and no rows at all', () => {
    const rows = agentRows([{ numbers: [NY, NY2], statuses: ['WRONG', 'EXHAUSTED'] }, { numbers: [] }, { numbers: ['', '  '] }]);
    expect(pick(rows)).toEqual({ pick: null, skipped: [], summary: { outcome: 'NO_ELIGIBLE_LEAD', scanned: 3, done: 1, empty: 2, passed: 0, byReason: {} } });
    expect(pick([])).toEqual({ pick: null, skipped: [], summary: { outcome: 'NO_ELIGIBLE_LEAD', scanned: 0, done: 0, empty: 0, passed: 0, byReason: {} } });
  });

  it('a row without a RowID, or sharing it with another row, cannot be addressed: never dialed', () => {
    const noId = pick([agentRow({ rowId: '  ' }), agentRow({ rowId: 'R2', rowIndex: 3, numbers: [CHICAGO] })]);
    expect(noId.pick).toMatchObject({ rowId: 'R2' });
    expect(noId.skipped).toEqual([{ rowId: '  ', rowIndex: 2, reason: 'NO_ROW_ID' }]);
    const twins = pick(agentRows([{ rowId: 'X' }, { rowId: 'X', numbers: [CHICAGO] }, { rowId: 'Y', numbers: [DENVER] }]));
    expect(twins.pick).toMatchObject({ rowId: 'Y' });
    expect(twins.skipped.map((s) => s.reason)).toEqual(['NO_ROW_ID', 'NO_ROW_ID']);
  });
});

describe('warmLeads', () => {
  it('prepares a slice of rows ahead of the decision and says where to continue', () => {
    const rows = agentRows([{ numbers: [NY] }, { numbers: [CHICAGO] }, { numbers: [DENVER] }]);
    expect(warmLeads(rows, 'US', 0, 2)).toBe(2);
    expect(warmLeads(rows, 'US', 2, 200)).toBe(3);
    expect(pick(rows).pick).toMatchObject({ rowId: 'R1' });
  });
});

describe('pickNext — explain: false (the dial path) keeps only the counts', () => {
  it('the same pick and summary, no list', () => {
    const rows = agentRows([{ numbers: [HONOLULU] }, { numbers: [NY], statuses: ['WRONG'] }, { numbers: ['x', NY2] }]);
    const full = pick(rows);
    const quiet = pick(rows, { explain: false });
    expect(quiet.pick).toEqual(full.pick);
    expect(quiet.summary).toEqual(full.summary);
    expect(full.skipped).toHaveLength(1);
    expect(quiet.skipped).toEqual([]);
  });
});

describe('pickNext — the rules apply in SPEC order', () => {
  it('outside the window is reported before a pending retry, a CORRECT sibling, or max attempts', () => {
    const night = new Date('2024-11-20T08:00:00Z');
    const row = agentRow({ numbers: [NY, NY2], statuses: ['CORRECT', 'NEW'], attemptCount: 9, lastOutcome: 'NO_ANSWER', lastCalledAt: minutesBefore(night, 5) });
    expect(pick([row], { now: night }).skipped.map((s) => s.reason)).toEqual(['OUTSIDE_WINDOW']);
    expect(pick([row], { now: minutesBefore(NOON_NY, 0), policy: resolvePolicy() }).skipped.map((s) => s.reason)).toEqual(['SIBLING_CORRECT']);
    const recent = agentRow({ numbers: [NY, NY2], statuses: ['CORRECT', 'NEW'], attemptCount: 9, lastOutcome: 'NO_ANSWER', lastCalledAt: minutesBefore(NOON_NY, 5) });
    expect(pick([recent]).skipped.map((s) => s.reason)).toEqual(['RETRY_PENDING']);
    const maxed = agentRow({ numbers: [NY], statuses: ['NO_ANSWER'], attemptCount: 9, lastOutcome: 'NO_ANSWER', lastCalledAt: minutesBefore(NOON_NY, 61) });
    expect(pick([maxed]).skipped.map((s) => s.reason)).toEqual(['MAX_ATTEMPTS']);
  });

  it('a number-level pass is listed with the row-level reason that ended the row', () => {
    const row = agentRow({ numbers: ['nope', NY], lastOutcome: 'NO_ANSWER', lastCalledAt: minutesBefore(NOON_NY, 5) });
    expect(pick([row]).skipped).toEqual([
      { rowId: 'R1', rowIndex: 2, numberIndex: 1, reason: 'INVALID_NUMBER' },
      { rowId: 'R1', rowIndex: 2, reason: 'RETRY_PENDING', until: minutesBefore(NOON_NY, -55).toISOString() },
    ]);
  });

  it('a row is memoised by identity, but a changed row (new object or new cell text) is seen afresh', () => {
    const row = agentRow({ statuses: ['NEW'] });
    expect(picked([row])).not.toBeNull();
    expect(picked([{ ...row, statuses: ['WRONG', ...row.statuses.slice(1)] }])).toBeNull();
    expect(picked([{ ...row, attemptCount: '6' }])).toBeNull();
    expect(picked([row])).not.toBeNull();
    // rows built by the engine cannot change in place
    const updated = applyChanges(row, { values: [{ column: 'Status1', value: 'WRONG' }], formats: [] });
    expect(picked([updated])).toBeNull();
    expect(() => ((updated.statuses as string[])[0] = 'NEW')).toThrow(TypeError);
  });
});
