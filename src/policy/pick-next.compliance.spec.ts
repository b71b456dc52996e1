import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CHICAGO, DENVER, LA, NY, NY2 } from '../../test/support/policy-rows.js';
import { resolvePolicy } from './campaign-policy.js';
import { toE164 } from './phone.js';
import { pickNext } from './pick-next.js';
import { type AgentRow, MAX_NUMBERS } from './policy.types.js';

// the do-not-call list and the attempt caps (issue 16): table cases and properties
const ALL_DAY = resolvePolicy({ callingWindow: { enabled: false }, retry: { enabled: false } });
const NOW = new Date('2026-03-10T17:00:00Z');
const HOUR = 3600_000;
const e164 = (n: string) => toE164(n, 'US')!;

function row(i: number, numbers: string[], extra: Partial<AgentRow> = {}): AgentRow {
  return {
    rowIndex: i + 2,
    rowId: `R${i + 1}`,
    name: `Lead ${i + 1}`,
    numbers: Array.from({ length: MAX_NUMBERS }, (_, j) => numbers[j] ?? ''),
    statuses: Array.from({ length: MAX_NUMBERS }, () => ''),
    notes: '',
    lastOutcome: '',
    attemptCount: '',
    nextIndex: '',
    lastCalledAt: '',
    timezone: '',
    extra: {},
    ...extra,
  };
}

describe('pickNext — do-not-call', () => {
  it('a listed number is passed over with DNC, and the lead\'s next number is dialed', () => {
    const result = pickNext({ readyState: 'PLAY', rows: [row(0, [NY, CHICAGO])], policy: ALL_DAY, now: NOW, dnc: new Set([e164(NY)]) });
    expect(result.pick).toMatchObject({ rowId: 'R1', numberIndex: 2, phone: e164(CHICAGO) });
  });

  it('a lead whose only number is listed is passed over, counted under DNC', () => {
    const result = pickNext({ readyState: 'PLAY', rows: [row(0, [NY]), row(1, [LA])], policy: ALL_DAY, now: NOW, dnc: new Set([e164(NY)]) });
    expect(result.pick).toMatchObject({ rowId: 'R2' });
    expect(result.summary.byReason.DNC).toBe(1);
    expect(result.skipped).toEqual([{ rowId: 'R1', rowIndex: 2, numberIndex: 1, reason: 'DNC' }]);
  });

  it('a DNC status in the sheet is terminal: never dialed', () => {
    const r = row(0, [NY, NY2]);
    const result = pickNext({ readyState: 'PLAY', rows: [{ ...r, statuses: ['DNC', ...r.statuses.slice(1)] }], policy: ALL_DAY, now: NOW });
    expect(result.pick).toMatchObject({ numberIndex: 2 });
  });

  it('property: a number on the list is never picked, whatever its status, the time, the rows', () => {
    const numbers = [NY, NY2, CHICAGO, DENVER, LA];
    const statuses = ['', 'NEW', 'VOICEMAIL', 'NO_ANSWER', 'IN_PROGRESS', 'CORRECT', 'SKIPPED'];
    let picks = 0;
    fc.assert(
      fc.property(
        fc.array(fc.record({ numbers: fc.array(fc.constantFrom(...numbers), { maxLength: 4 }), statuses: fc.array(fc.constantFrom(...statuses), { maxLength: 4 }) }), {
          maxLength: 12,
        }),
        fc.subarray(numbers),
        fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2027-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.boolean(),
        (specs, listed, now, windowOn) => {
          const rows = specs.map((s, i) => {
            const r = row(i, s.numbers);
            return { ...r, statuses: r.statuses.map((_, j) => s.statuses[j] ?? '') };
          });
          const policy = resolvePolicy({ callingWindow: { enabled: windowOn }, retry: { enabled: false } });
          const dnc = new Set(listed.map(e164));
          const { pick } = pickNext({ readyState: 'PLAY', rows, policy, now, dnc });
          if (!pick) return;
          picks++;
          expect(dnc.has(pick.phone)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
    expect(picks).toBeGreaterThan(50);
  });
});

describe('pickNext — attempt caps from the attempt history', () => {
  it('per number in 7 days: the capped number is passed over (ATTEMPT_CAP), the lead\'s other number is dialed', () => {
    const policy = resolvePolicy({ callingWindow: { enabled: false }, retry: { enabled: false }, maxAttemptsPerNumberPer7d: 3 });
    const recentDials = new Map([[e164(NY), [NOW.getTime() - 6 * 24 * HOUR, NOW.getTime() - 2 * 24 * HOUR, NOW.getTime() - HOUR]]]);
    const result = pickNext({ readyState: 'PLAY', rows: [row(0, [NY, LA])], policy, now: NOW, recentDials });
    expect(result.pick).toMatchObject({ numberIndex: 2 });
    // the oldest dial leaves the 7-day window a day later: the number may be dialed again
    const later = pickNext({ readyState: 'PLAY', rows: [row(0, [NY, LA])], policy, now: new Date(NOW.getTime() + 24 * HOUR + 1), recentDials });
    expect(later.pick).toMatchObject({ numberIndex: 1 });
  });

  it('per lead in 24 h: the whole lead waits, whatever number', () => {
    const policy = resolvePolicy({ callingWindow: { enabled: false }, retry: { enabled: false }, maxAttemptsPerLeadPer24h: 2 });
    const recentLeadDials = new Map([['R1', [NOW.getTime() - 3 * HOUR, NOW.getTime() - HOUR]]]);
    const result = pickNext({ readyState: 'PLAY', rows: [row(0, [NY, LA]), row(1, [CHICAGO])], policy, now: NOW, recentLeadDials });
    expect(result.pick).toMatchObject({ rowId: 'R2' });
    expect(result.summary.byReason.ATTEMPT_CAP).toBe(1);
  });

  it('property: caps hold across days and across sheet edits (the sheet\'s AttemptCount and statuses do not reset them)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10 * 24 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom('', '0', '1'),
        fc.constantFrom('', 'NEW', 'VOICEMAIL'),
        (hoursAgo, dayCap, weekCap, attemptCount, status) => {
          const policy = resolvePolicy({
            callingWindow: { enabled: false },
            retry: { enabled: false },
            maxAttemptsPerNumberPer24h: dayCap,
            maxAttemptsPerNumberPer7d: weekCap,
          });
          const times = hoursAgo.map((h) => NOW.getTime() - h * HOUR);
          // the sheet as someone edited it: attempts cleared, status reset
          const r = row(0, [NY], { attemptCount });
          const edited = { ...r, statuses: [status, ...r.statuses.slice(1)] };
          const { pick } = pickNext({ readyState: 'PLAY', rows: [edited], policy, now: NOW, recentDials: new Map([[e164(NY), times]]) });
          const inDay = times.filter((t) => NOW.getTime() - t < 24 * HOUR).length;
          const inWeek = times.filter((t) => NOW.getTime() - t < 7 * 24 * HOUR).length;
          expect(pick !== null).toBe(inDay < dayCap && inWeek < weekCap);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('pickNext — scheduled callbacks', () => {
  const due = (rowId: string, numberIndex: number, minutesAgo: number, id = `cb-${rowId}`) => ({ id, rowId, numberIndex, dueAtMs: NOW.getTime() - minutesAgo * 60_000 });

  it('a due callback is dialed before every fresh lead, even while its retry delay runs and its number is CORRECT', () => {
    const policy = resolvePolicy({ callingWindow: { enabled: false } });
    const rows = [row(0, [NY]), row(1, [LA], { lastOutcome: 'NO_ANSWER', lastCalledAt: new Date(NOW.getTime() - 5 * 60_000).toISOString() })];
    const withStatus = [rows[0]!, { ...rows[1]!, statuses: ['CORRECT', ...rows[1]!.statuses.slice(1)] }];
    expect(pickNext({ readyState: 'PLAY', rows: withStatus, policy, now: NOW }).pick).toMatchObject({ rowId: 'R1' });
    expect(pickNext({ readyState: 'PLAY', rows: withStatus, policy, now: NOW, callbacks: [due('R2', 1, 1)] }).pick).toMatchObject({ rowId: 'R2', callbackId: 'cb-R2', phone: e164(LA) });
  });

  it('not before it is due; the earliest first; never a listed number, a reserved lead, or outside the calling window', () => {
    const rows = [row(0, [NY]), row(1, [LA]), row(2, [CHICAGO])];
    const later = { id: 'later', rowId: 'R3', numberIndex: 1, dueAtMs: NOW.getTime() + 60_000 };
    expect(pickNext({ readyState: 'PLAY', rows, policy: ALL_DAY, now: NOW, callbacks: [later] }).pick).toMatchObject({ rowId: 'R1' });
    const both = [due('R3', 1, 1), due('R2', 1, 10)];
    expect(pickNext({ readyState: 'PLAY', rows, policy: ALL_DAY, now: NOW, callbacks: both }).pick).toMatchObject({ rowId: 'R2' });
    expect(pickNext({ readyState: 'PLAY', rows, policy: ALL_DAY, now: NOW, callbacks: both, dnc: new Set([e164(LA)]) }).pick).toMatchObject({ rowId: 'R3' });
    expect(pickNext({ readyState: 'PLAY', rows, policy: ALL_DAY, now: NOW, callbacks: both, reserved: { rowIds: new Set(['R2', 'R3']) } }).pick).toMatchObject({ rowId: 'R1' });
    // 03:00 in New York: the window (08:00–21:00) holds for callbacks too
    const night = new Date('2026-03-10T08:00:00Z');
    const windowed = resolvePolicy({ retry: { enabled: false } });
    expect(pickNext({ readyState: 'PLAY', rows: [row(0, [NY])], policy: windowed, now: night, callbacks: [{ id: 'n', rowId: 'R1', numberIndex: 1, dueAtMs: night.getTime() - 1 }] }).pick).toBeNull();
  });

  it('property: whenever a due callback can be dialed, the pick is a callback', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(NY, NY2, CHICAGO, DENVER, LA), { minLength: 1, maxLength: 10 }), fc.nat(9), fc.subarray([NY, LA]), (numbers, target, listed) => {
        const rows = numbers.map((n, i) => row(i, [n]));
        const index = target % rows.length;
        const dnc = new Set(listed.map(e164));
        const { pick } = pickNext({ readyState: 'PLAY', rows, policy: ALL_DAY, now: NOW, dnc, callbacks: [due(`R${index + 1}`, 1, 5)] });
        const callbackDialable = !dnc.has(e164(numbers[index]!)) && rows.filter((r) => r.rowId === `R${index + 1}`).length === 1;
        if (callbackDialable) expect(pick).toMatchObject({ rowId: `R${index + 1}`, callbackId: `cb-R${index + 1}` });
        else if (pick) expect(pick.callbackId).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
