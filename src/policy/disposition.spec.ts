import { agentRow, CHICAGO, DENVER, NY, NY2 } from '../../test/support/policy-rows.js';
import { resolvePolicy } from './campaign-policy.js';
import { applyDisposition, DispositionError, markInProgress, parseDispositionCode } from './disposition.js';
import { normaliseRow, normaliseRows } from './normalise-row.js';
import { pickNext } from './pick-next.js';

const NOW = new Date('2024-11-20T17:00:00.000Z');
const ISO = NOW.toISOString();
const policy = resolvePolicy();

/** A lead being dialed on Num1: Num2 new, Num3 left a voicemail before, Num4 known wrong. */
const dialing = agentRow({
  rowId: 'L-42',
  numbers: [NY, NY2, CHICAGO, DENVER],
  statuses: ['IN_PROGRESS', 'NEW', 'VOICEMAIL', 'WRONG'],
  attemptCount: 2,
  nextIndex: 1,
  lastOutcome: 'VM_SAME_NAME',
  lastCalledAt: '2024-11-19T15:00:00.000Z',
  notes: 'met at the expo',
});

describe('applyDisposition — the six dispositions (SPEC §9)', () => {
  it.each([
    [
      1,
      'CORRECT',
      {
        values: [
          { column: 'Status1', value: 'CORRECT' },
          { column: 'Status2', value: 'SKIPPED' },
          { column: 'Status3', value: 'SKIPPED' },
          { column: 'LastOutcome', value: 'CORRECT' },
          { column: 'AttemptCount', value: 3 },
          { column: 'LastCalledAt', value: ISO },
        ],
        formats: [
          { column: 'Status2', backgroundColor: '#8E7CC3' },
          { column: 'Status3', backgroundColor: '#8E7CC3' },
        ],
      },
      null,
    ],
    [
      2,
      'WRONG',
      {
        values: [
          { column: 'Status1', value: 'WRONG' },
          { column: 'LastOutcome', value: 'WRONG' },
          { column: 'AttemptCount', value: 3 },
          { column: 'NextIndex', value: 2 },
          { column: 'LastCalledAt', value: ISO },
        ],
        formats: [],
      },
      null,
    ],
    [
      3,
      'VM_SAME_NAME',
      {
        values: [
          { column: 'Status1', value: 'VOICEMAIL' },
          { column: 'AttemptCount', value: 3 },
          { column: 'NextIndex', value: 2 },
          { column: 'LastCalledAt', value: ISO },
        ],
        formats: [],
      },
      '2024-11-20T20:00:00.000Z',
    ],
    [
      4,
      'VM_OR_NA_UNKNOWN',
      {
        values: [
          { column: 'Status1', value: 'VOICEMAIL' },
          { column: 'LastOutcome', value: 'VM_OR_NA_UNKNOWN' },
          { column: 'AttemptCount', value: 3 },
          { column: 'NextIndex', value: 2 },
          { column: 'LastCalledAt', value: ISO },
        ],
        formats: [],
      },
      '2024-11-20T20:00:00.000Z',
    ],
    [
      5,
      'NO_ANSWER',
      {
        values: [
          { column: 'Status1', value: 'NO_ANSWER' },
          { column: 'LastOutcome', value: 'NO_ANSWER' },
          { column: 'AttemptCount', value: 3 },
          { column: 'NextIndex', value: 2 },
          { column: 'LastCalledAt', value: ISO },
        ],
        formats: [],
      },
      '2024-11-20T18:00:00.000Z',
    ],
    [
      6,
      'SKIP',
      {
        values: [
          { column: 'Status1', value: 'SKIPPED' },
          { column: 'LastOutcome', value: 'SKIP' },
          { column: 'AttemptCount', value: 3 },
          { column: 'NextIndex', value: 2 },
          { column: 'LastCalledAt', value: ISO },
        ],
        formats: [],
      },
      null,
    ],
  ])('hotkey %i = %s: exactly these cells (unchanged ones are not written)', (hotkey, code, changes, retryAt) => {
    for (const given of [hotkey, code, String(hotkey), code.toLowerCase()]) {
      const result = applyDisposition({ row: dialing, numberIndex: 1, code: given, now: NOW, policy });
      expect(result.code).toBe(code);
      expect(result.changes).toEqual(changes);
      expect(result.retryAt).toBe(retryAt);
    }
  });

  it('CORRECT reports the siblings it skipped; the updated row reads as written', () => {
    const result = applyDisposition({ row: dialing, numberIndex: 1, code: 'CORRECT', now: NOW, policy });
    expect(result.siblingsSkipped).toEqual([2, 3]);
    expect(result.row.statuses.slice(0, 4)).toEqual(['CORRECT', 'SKIPPED', 'SKIPPED', 'WRONG']);
    expect(result.row).toMatchObject({ lastOutcome: 'CORRECT', attemptCount: '3', nextIndex: '1', lastCalledAt: ISO, notes: 'met at the expo' });
  });

  it('SKIP is a manual skip: SKIPPED without the sibling colour', () => {
    const result = applyDisposition({ row: dialing, numberIndex: 1, code: 6, now: NOW, policy });
    expect(result.status).toBe('SKIPPED');
    expect(result.changes.formats).toEqual([]);
  });

  it('notes are appended, stamped with the time, number and code; none given: Notes untouched', () => {
    const result = applyDisposition({ row: dialing, numberIndex: 1, code: 5, notes: '  call after 5pm ', now: NOW, policy });
    expect(result.changes.values).toContainEqual({ column: 'Notes', value: 'met at the expo\n[2024-11-20 17:00 UTC] Num1 NO_ANSWER: call after 5pm' });
    const empty = applyDisposition({ row: agentRow(), numberIndex: 1, code: 2, notes: 'disconnected', now: NOW, policy });
    expect(empty.changes.values).toContainEqual({ column: 'Notes', value: '[2024-11-20 17:00 UTC] Num1 WRONG: disconnected' });
    expect(applyDisposition({ row: dialing, numberIndex: 1, code: 5, notes: '   ', now: NOW, policy }).changes.values.map((v) => v.column)).not.toContain('Notes');
  });

  it('NextIndex moves to the next open number after the dialed one, wrapping around', () => {
    const row = agentRow({ numbers: [NY, NY2, CHICAGO], statuses: ['NO_ANSWER', 'WRONG', 'IN_PROGRESS'], nextIndex: 3 });
    expect(applyDisposition({ row, numberIndex: 3, code: 'NO_ANSWER', now: NOW, policy }).changes.values).toContainEqual({ column: 'NextIndex', value: 1 });
    // the only open number is the dialed one: it is next again
    const single = agentRow({ numbers: [NY], statuses: ['IN_PROGRESS'], nextIndex: 1 });
    const result = applyDisposition({ row: single, numberIndex: 1, code: 'NO_ANSWER', now: NOW, policy });
    expect(result.changes.values.map((v) => v.column)).not.toContain('NextIndex'); // already 1
    expect(result.row.nextIndex).toBe('1');
  });

  it('at maxAttempts the lead\'s open numbers become EXHAUSTED and nothing is retried', () => {
    const row = agentRow({ numbers: [NY, NY2, CHICAGO], statuses: ['IN_PROGRESS', 'NEW', 'WRONG'], attemptCount: 5 });
    const result = applyDisposition({ row, numberIndex: 1, code: 'NO_ANSWER', now: NOW, policy });
    expect(result.exhausted).toEqual([1, 2]);
    expect(result.status).toBe('EXHAUSTED');
    expect(result.retryAt).toBeNull();
    expect(result.changes.values).toEqual([
      { column: 'Status1', value: 'EXHAUSTED' },
      { column: 'Status2', value: 'EXHAUSTED' },
      { column: 'LastOutcome', value: 'NO_ANSWER' },
      { column: 'AttemptCount', value: 6 },
      { column: 'LastCalledAt', value: ISO },
    ]);
    // a CORRECT on the last attempt is a success, not an exhaustion
    const correct = applyDisposition({ row, numberIndex: 1, code: 'CORRECT', now: NOW, policy });
    expect(correct.exhausted).toEqual([]);
    expect(correct.siblingsSkipped).toEqual([2]);
  });

  it('refuses an unknown code, a number index out of range, or an empty number', () => {
    expect(() => applyDisposition({ row: dialing, numberIndex: 1, code: 8, now: NOW, policy })).toThrow(DispositionError);
    expect(() => applyDisposition({ row: dialing, numberIndex: 1, code: 'MAYBE', now: NOW, policy })).toThrow(/1-7 or CORRECT/);
    expect(() => applyDisposition({ row: dialing, numberIndex: 11, code: 1, now: NOW, policy })).toThrow(/numberIndex/);
    expect(() => applyDisposition({ row: dialing, numberIndex: 5, code: 1, now: NOW, policy })).toThrow(/Num5 .* is empty/);
  });

  it('parseDispositionCode', () => {
    expect([1, 2, 3, 4, 5, 6].map(parseDispositionCode)).toEqual(['CORRECT', 'WRONG', 'VM_SAME_NAME', 'VM_OR_NA_UNKNOWN', 'NO_ANSWER', 'SKIP']);
    expect(parseDispositionCode(' vm_same_name ')).toBe('VM_SAME_NAME');
    expect(parseDispositionCode(7)).toBe('DNC');
    expect([0, 8, '12', '', null, {}, 'VOICEMAIL'].map(parseDispositionCode)).toEqual([null, null, null, null, null, null, null]);
  });
});

describe('markInProgress', () => {
  it('writes only the status of the dialed number', () => {
    const row = agentRow({ numbers: [NY, NY2], statuses: ['NEW', 'VOICEMAIL'] });
    const update = markInProgress(row, 2);
    expect(update.changes).toEqual({ values: [{ column: 'Status2', value: 'IN_PROGRESS' }], formats: [] });
    expect(update.row.statuses.slice(0, 2)).toEqual(['NEW', 'IN_PROGRESS']);
    expect(() => markInProgress(row, 0)).toThrow(DispositionError);
  });
});

describe('normaliseRow — numbers that cannot be dialed are written back', () => {
  it('an unparseable open number becomes WRONG with a note; a repeated one SKIPPED', () => {
    const row = agentRow({ numbers: ['call me', NY, '(212) 555-0123', 'n/a'], statuses: ['', 'NEW', 'NEW', 'WRONG'], notes: 'vip' });
    const update = normaliseRow(row, policy);
    expect(update.changes).toEqual({
      values: [
        { column: 'Status1', value: 'WRONG' },
        { column: 'Status3', value: 'SKIPPED' },
        { column: 'Notes', value: 'vip\nNum1: not a valid phone number (marked WRONG, never dialed)\nNum3: same number as Num2 (marked SKIPPED)' },
      ],
      formats: [],
    });
    expect(normaliseRow(update.row, policy).changes.values).toEqual([]);
  });

  it('nothing to fix: no changes; normaliseRows lists only rows that need a write', () => {
    const fine = agentRow({ numbers: [NY] });
    expect(normaliseRow(fine, policy)).toEqual({ changes: { values: [], formats: [] }, row: fine });
    expect(normaliseRows([fine, agentRow({ rowId: 'B', numbers: ['x'] })], policy).map((u) => u.row.rowId)).toEqual(['B']);
  });
});

describe('dispositions and the next pick', () => {
  it('after CORRECT the lead is never picked again; after NO_ANSWER it waits 60 min, then dials the next number', () => {
    const inProgress = markInProgress(agentRow({ numbers: [NY, NY2] }), 1).row;
    expect(pickNext({ readyState: 'PLAY', rows: [inProgress], policy, now: NOW }).pick).toBeNull();

    const correct = applyDisposition({ row: inProgress, numberIndex: 1, code: 'CORRECT', now: NOW, policy }).row;
    const later = new Date(NOW.getTime() + 2 * 60 * 60_000);
    expect(pickNext({ readyState: 'PLAY', rows: [correct], policy, now: later }).pick).toBeNull();

    const noAnswer = applyDisposition({ row: inProgress, numberIndex: 1, code: 'NO_ANSWER', now: NOW, policy }).row;
    expect(pickNext({ readyState: 'PLAY', rows: [noAnswer], policy, now: new Date(NOW.getTime() + 59 * 60_000) }).skipped).toEqual([
      { rowId: 'R1', rowIndex: 2, reason: 'RETRY_PENDING', until: '2024-11-20T18:00:00.000Z' },
    ]);
    expect(pickNext({ readyState: 'PLAY', rows: [noAnswer], policy, now: new Date(NOW.getTime() + 60 * 60_000) }).pick).toMatchObject({ numberIndex: 2, phone: NY2 });
  });
});
