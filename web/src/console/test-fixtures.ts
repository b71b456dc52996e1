/** Builders for the console tests (not bundled: only tests import this). */
import { type ConsoleEvent, type ConsoleState, initialState, transition } from './machine';
import type { AttemptView, DispositionAnswer, LeadView, PlacedDial, SessionStats, SessionView } from './types';

export const T0 = Date.parse('2026-03-02T15:00:00.000Z');

export const STATS: SessionStats = { dials: 3, connects: 1, dispositions: { CORRECT: 1, NO_ANSWER: 2 }, talk_time_ms: 61_000, dials_per_hour: 42.5 };

export function lead(over: Partial<LeadView> = {}): LeadView {
  return {
    row_id: 'L1',
    name: 'Jane Doe',
    notes: 'Prefers mornings',
    attempts: 2,
    time_zone: 'America/New_York',
    local_time: '2026-03-02T10:00:00-05:00',
    numbers: [
      { index: 1, phone: '+15550000001', status: 'NO_ANSWER' },
      { index: 2, phone: '+15550000002', status: 'IN_PROGRESS' },
      { index: 3, phone: '+15550000003', status: 'NEW' },
    ],
    ...over,
  };
}

export function placed(id = 'a1', over: Partial<PlacedDial> = {}): PlacedDial {
  return { attempt_id: id, row_id: 'L1', name: 'Jane Doe', number_index: 2, phone: '+15550000002', dialpad_call_id: '6400000000000001', lead: lead(), ...over };
}

export function attempt(id: string, status: AttemptView['status'], over: Partial<AttemptView> = {}): AttemptView {
  return {
    attempt_id: id,
    status,
    row_id: 'L1',
    number_index: 2,
    phone: '+15550000002',
    dialpad_call_id: '6400000000000001',
    dialed_at: new Date(T0 - 60_000).toISOString(),
    connected_at: status === 'connected' || status === 'ended' ? new Date(T0 - 45_000).toISOString() : null,
    ended_at: status === 'ended' ? new Date(T0 - 5_000).toISOString() : null,
    lead: lead(),
    ...over,
  };
}

export function view(over: Partial<SessionView> = {}): SessionView {
  return {
    id: 's1',
    app_id: 'app1',
    agent_email: 'ada@example.com',
    campaign_name: 'Spring',
    state: 'PLAY',
    current_attempt_id: null,
    started_at: new Date(T0 - 3_600_000).toISOString(),
    updated_at: new Date(T0).toISOString(),
    stats: STATS,
    current_attempt: null,
    ...over,
  };
}

export function dispoAnswer(id: string, code: string, next: DispositionAnswer['next'], over: Partial<DispositionAnswer> = {}): DispositionAnswer {
  return { attempt_id: id, code, sheet: 'queued', next, ...over };
}

export function run(events: ConsoleEvent[], from: ConsoleState = initialState()): ConsoleState {
  return events.reduce(transition, from);
}

/** A PLAY session with nothing open (after a restore). */
export function ready(): ConsoleState {
  return run([{ type: 'RESTORED', view: view(), epoch: 0, now: T0 }]);
}

/** A placed call in the given status. */
export function inCall(status: 'dialing' | 'ringing' | 'connected' | 'ended', id = 'a1'): ConsoleState {
  const events: ConsoleEvent[] = [
    { type: 'DIAL_REQUESTED', now: T0 },
    { type: 'DIAL_ANSWERED', result: placed(id), now: T0 + 100 },
  ];
  if (status === 'ringing' || status === 'connected' || status === 'ended') {
    events.push({ type: 'MESSAGE', message: { event: 'CALL_STATE', attempt_id: id, status: 'ringing' }, now: T0 + 1000 });
  }
  if (status === 'connected' || status === 'ended') {
    events.push({ type: 'MESSAGE', message: { event: 'CALL_STATE', attempt_id: id, status: 'connected' }, now: T0 + 5000 });
  }
  if (status === 'ended') {
    events.push({ type: 'MESSAGE', message: { event: 'SHOW_DISPO', attempt_id: id, row_id: 'L1', number_index: 2, phone: '+15550000002', connected: true, talk_time_ms: 30_000 }, now: T0 + 35_000 });
  }
  return run(events, ready());
}
