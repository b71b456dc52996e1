import { describe, expect, it } from 'vitest';
import { parseAgentMessage, parseDialResult } from './messages';

describe('agent socket messages', () => {
  it('STATS, CALL_STATE, SHOW_DISPO, DIAL_SCHEDULED are read', () => {
    expect(parseAgentMessage({ event: 'STATS', session_id: 's', state: 'PAUSE', stats: { dials: 2, connects: 1, dispositions: { CORRECT: 1, bad: 'x' }, talk_time_ms: 5, dials_per_hour: 3.5 } })).toEqual({
      event: 'STATS',
      session_id: 's',
      state: 'PAUSE',
      stats: { dials: 2, connects: 1, dispositions: { CORRECT: 1 }, talk_time_ms: 5, dials_per_hour: 3.5 },
    });
    expect(parseAgentMessage({ event: 'CALL_STATE', attempt_id: 'a', status: 'connected', connected_at: '2026-01-01T00:00:00Z', ended_at: null })).toMatchObject({ status: 'connected' });
    expect(parseAgentMessage({ event: 'SHOW_DISPO', attempt_id: 'a', row_id: 'L1', number_index: 2, phone: '+1', dialpad_call_id: '9', connected: true, talk_time_ms: 1000 })).toMatchObject({ attempt_id: 'a', talk_time_ms: 1000 });
    expect(parseAgentMessage({ event: 'DIAL_SCHEDULED', scheduled_at: '2026-01-01T00:00:10Z' })).toMatchObject({ event: 'DIAL_SCHEDULED', attempt_id: null });
  });

  it('DIAL_RESULT carries the dial result flat (or nested as `result`)', () => {
    expect(parseAgentMessage({ event: 'DIAL_RESULT', attempt_id: 'a', row_id: 'L1', name: 'Jo', number_index: 1, phone: '+1', dialpad_call_id: '7' })).toMatchObject({ event: 'DIAL_RESULT', result: { attempt_id: 'a', name: 'Jo' } });
    expect(parseAgentMessage({ event: 'DIAL_RESULT', attempt_id: null, reason: 'nothing' })).toMatchObject({ result: { attempt_id: null, reason: 'nothing' } });
    expect(parseAgentMessage({ event: 'DIAL_RESULT', result: { attempt_id: null, scheduled_at: 'x' } })).toMatchObject({ result: { scheduled_at: 'x' } });
  });

  it('anything else is null: control frames, app call events, bad shapes', () => {
    for (const m of [null, 'x', [], { type: 'welcome' }, { event: 'call.ring', call_id: '1' }, { event: 'CALL_STATE', attempt_id: 'a', status: 'weird' }, { event: 'SHOW_DISPO' }, { event: 'STATS' }, { event: 'DIAL_SCHEDULED', scheduled_at: 'not a date' }]) {
      expect(parseAgentMessage(m)).toBeNull();
    }
  });

  it('the backend’s `{attempt: null, attempt_id: null, reason, skipped}` is a nothing-to-dial', () => {
    expect(parseDialResult({ attempt: null, attempt_id: null, reason: 'r', skipped: { MAX_ATTEMPTS: 2 } })).toEqual({ attempt_id: null, reason: 'r', skipped: { MAX_ATTEMPTS: 2 } });
    expect(parseDialResult({})).toBeNull();
    // a dial that honours a scheduled callback names it
    expect(parseDialResult({ attempt_id: 'a', row_id: 'L1', name: 'N', number_index: 1, phone: '+1', callback_id: 'cb1' })).toMatchObject({ callback_id: 'cb1' });
    expect(parseDialResult({ attempt_id: 'a', row_id: 'L1' })).toMatchObject({ callback_id: null });
  });
});
