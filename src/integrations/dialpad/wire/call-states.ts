/**
 * Every Dialpad call state, and what the service makes of it: ONE table, the same as
 * docs/wire-protocol.md, "Dialpad call states" (call-states.spec.ts checks that the two
 * agree, row for row).
 *
 * The list of states is the `call_states` enum of Dialpad's call event subscription in
 * Dialpad's published OpenAPI document (dialpad/dialpad-python-sdk, dialpad_api_spec.json,
 * schemas.call_event_subscription.CreateCallEventSubscription). Dialpad's developer docs
 * (developers.dialpad.com/docs/call-events) describe the payload but say little about
 * what most states mean; where they are silent the row's note says so, and the reading
 * chosen is the one that loses no data: the event is always stored as sent
 * (webhook_events), the call only gains what the event states, and a status is never
 * inferred from a state whose meaning is not documented.
 *
 * Pure data: no Nest, no I/O.
 */

/**
 * What an event says about the call's status, on its own (the state machine joins the
 * evidence of all of a call's events: src/calls/domain/call-state.ts).
 * `hangup`: `ended`, or `missed` when the event says the call never connected.
 * null: no status of its own (the dates the payload carries still count).
 */
export type StatusEvidence = 'initiated' | 'queued' | 'ringing' | 'connected' | 'hangup' | 'missed' | 'blocked' | 'voicemail' | null;

/**
 * Where a connected call is: talking, on hold or parked. Not monotone (hold ↔ connected),
 * so it is a register: the event with the latest Dialpad `event_timestamp` among those that
 * set it decides (ties: parked over on_hold over connected), which keeps the fold order-free.
 */
export type CallPosition = 'connected' | 'on_hold' | 'parked';

export interface CallStateRow {
  /** Dialpad's `state` word */
  state: string;
  /** our event type (`webhook_events.event_type`, the WebSocket message's `event`); null: never sent, read as an unknown state */
  eventType: string | null;
  status: StatusEvidence;
  position: CallPosition | null;
  /** the voicemail row is written too */
  voicemail?: true;
  /** what the event adds to the call besides the fields every event fills in */
  adds: string;
  /** the WebSocket message sent, or why none */
  message: string;
}

export const EventTypes = {
  started: 'call.started',
  preanswer: 'call.preanswer',
  queued: 'call.queued',
  ring: 'call.ring',
  connected: 'call.connected',
  hold: 'call.hold',
  parked: 'call.parked',
  merged: 'call.merged',
  takeover: 'call.takeover',
  barge: 'call.barge',
  eavesdrop: 'call.eavesdrop',
  monitor: 'call.monitor',
  ended: 'call.ended',
  missed: 'call.missed',
  blocked: 'call.blocked',
  voicemail: 'voicemail.received',
  recording: 'call.recording.completed',
  transcription: 'call.transcription',
  csat: 'call.csat',
  pcsat: 'call.pcsat',
  postcall: 'call.postcall',
  dispositions: 'call.dispositions',
  recapSummary: 'call.recap_summary',
  recapOutcome: 'call.recap_outcome',
  recapPurposes: 'call.recap_purposes',
  recapActionItems: 'call.recap_action_items',
  aiPlaybook: 'call.ai_playbook',
  admin: 'call.admin',
} as const;

const LATER = 'Dialpad documents no field for it, so it stays in the stored event (GET /internal/apps/:app_id/events/:id)';
const VM_ROW =
  'the voicemail row, from the event that carries the message (its link, `voicemail_link` or `voicemail_share_link`, or its recording, `voicemail_recording_id` or a `recording_details` entry of type `voicemail`): link, recording id, the message\'s own duration (its recording\'s), transcription when sent';
const VM_MESSAGE =
  '`voicemail.received` (once per voicemail) when this event brings the message, `voicemail.updated` when it changes one already announced';
const TRANSCRIPT = "the call's transcript (`transcription_text`; the newest by event time): `GET /api/calls/:id/transcript`";
const RECAP =
  'Dialpad documents no field for a recap: a top-level field named like the state, or the same name in a `recap` object, is read; call-insights.ts';
const ADMIN_SHOWN = 'shown to the CRM only when the app\'s `show_admin_recordings` is on';
const TIMES = '`talk_time_ms`, `hold_time_ms`: every call event\'s `talk_time`, `hold_time`, the largest kept';
const SUPERVISOR =
  'a supervisor joins a live call, so the call is connected; it does not end a hold (Dialpad does not say it does); the supervisor is in the stored payload';

/** In Dialpad's order (alphabetical in its enum), plus the wildcard `all`. */
export const CALL_STATES: readonly CallStateRow[] = [
  { state: 'admin', eventType: EventTypes.admin, status: null, position: null, adds: `nothing: Dialpad does not document this state; ${LATER}`, message: '`call.admin`' },
  { state: 'admin_recording', eventType: EventTypes.recording, status: null, position: null, adds: `the admin recording in \`recordings\` (${ADMIN_SHOWN}); never \`recording_url\``, message: '`call.recording.completed` with `recordings`' },
  { state: 'ai_playbook', eventType: EventTypes.aiPlaybook, status: null, position: null, adds: `nothing; ${LATER}`, message: '`call.ai_playbook`' },
  {
    state: 'all',
    eventType: null,
    status: null,
    position: null,
    adds: 'the subscription wildcard, not a state: never sent; if it ever arrives it is an unknown state',
    message: 'none (unknown state)',
  },
  { state: 'barge', eventType: EventTypes.barge, status: 'connected', position: null, adds: `nothing: ${SUPERVISOR}`, message: '`call.barge`' },
  { state: 'blocked', eventType: EventTypes.blocked, status: 'blocked', position: null, adds: 'the end (`date_ended`)', message: '`call.blocked`' },
  { state: 'call_transcription', eventType: EventTypes.transcription, status: null, position: null, adds: TRANSCRIPT, message: '`call.transcription` with `transcript`' },
  { state: 'calling', eventType: EventTypes.started, status: 'initiated', position: null, adds: '`started_at` (`date_started`, else the event time)', message: '`call.started`' },
  { state: 'connected', eventType: EventTypes.connected, status: 'connected', position: 'connected', adds: '`connected_at` (`date_connected`, else the event time); ends a hold or a park', message: '`call.connected`' },
  { state: 'csat', eventType: EventTypes.csat, status: null, position: null, adds: '`csat.score` (`csat_score`), `csat.transcriptions`, `csat.recording_urls`', message: '`call.csat` with `csat`' },
  { state: 'dispositions', eventType: EventTypes.dispositions, status: null, position: null, adds: '`dispositions` (the event\'s `labels`: the call object has no other field for them) and `labels`', message: '`call.dispositions` with `dispositions`, `labels`' },
  { state: 'eavesdrop', eventType: EventTypes.eavesdrop, status: 'connected', position: null, adds: `nothing: ${SUPERVISOR}`, message: '`call.eavesdrop`' },
  { state: 'hangup', eventType: EventTypes.ended, status: 'hangup', position: null, adds: '`ended_at`, `duration_ms`', message: '`call.ended`' },
  { state: 'hold', eventType: EventTypes.hold, status: 'connected', position: 'on_hold', adds: 'nothing else (Dialpad has no unhold state: the next `connected` ends the hold)', message: '`call.hold`' },
  { state: 'merged', eventType: EventTypes.merged, status: 'connected', position: 'connected', adds: 'nothing: the call joined another (a conference); it is live, so a hold or park ends', message: '`call.merged`' },
  { state: 'missed', eventType: EventTypes.missed, status: 'missed', position: null, adds: 'nothing else', message: '`call.missed`' },
  { state: 'monitor', eventType: EventTypes.monitor, status: 'connected', position: null, adds: `nothing: ${SUPERVISOR}`, message: '`call.monitor`' },
  { state: 'parked', eventType: EventTypes.parked, status: 'connected', position: 'parked', adds: 'nothing else (the next `connected` ends the park)', message: '`call.parked`' },
  { state: 'pcsat', eventType: EventTypes.pcsat, status: null, position: null, adds: '`csat.predicted_score` (Dialpad\'s predicted CSAT, its `csat_score`)', message: '`call.pcsat` with `csat`' },
  { state: 'postcall', eventType: EventTypes.postcall, status: null, position: null, adds: `nothing of its own: its dates, talk and hold time count (${TIMES})`, message: '`call.postcall`' },
  {
    state: 'preanswer',
    eventType: EventTypes.preanswer,
    status: 'initiated',
    position: null,
    adds: '`started_at`; Dialpad does not say more than "before the answer", so no status beyond `initiated`',
    message: '`call.preanswer`',
  },
  { state: 'queued', eventType: EventTypes.queued, status: 'queued', position: null, adds: '`queued_at` (`date_queued`, else the event time)', message: '`call.queued`' },
  { state: 'recap_action_items', eventType: EventTypes.recapActionItems, status: null, position: null, adds: `\`recap.action_items\` (${RECAP})`, message: '`call.recap_action_items` with `recap`' },
  { state: 'recap_outcome', eventType: EventTypes.recapOutcome, status: null, position: null, adds: `\`recap.outcome\` (${RECAP})`, message: '`call.recap_outcome` with `recap`' },
  { state: 'recap_purposes', eventType: EventTypes.recapPurposes, status: null, position: null, adds: `\`recap.purposes\` (${RECAP})`, message: '`call.recap_purposes` with `recap`' },
  { state: 'recap_summary', eventType: EventTypes.recapSummary, status: null, position: null, adds: `\`recap.summary\` (${RECAP})`, message: '`call.recap_summary` with `recap`' },
  { state: 'recording', eventType: EventTypes.recording, status: null, position: null, adds: 'every `recording_details` entry in `recordings`; `recording_url` the newest call recording', message: '`call.recording.completed` with `recording_url`, `recordings`' },
  { state: 'ringing', eventType: EventTypes.ring, status: 'ringing', position: null, adds: '`ringing_at` (`date_first_rang`, `date_rang`, else the event time)', message: '`call.ring`' },
  { state: 'takeover', eventType: EventTypes.takeover, status: 'connected', position: null, adds: `nothing: ${SUPERVISOR}`, message: '`call.takeover`' },
  { state: 'transcription', eventType: EventTypes.transcription, status: null, position: null, adds: TRANSCRIPT, message: '`call.transcription` with `transcript`' },
  {
    state: 'voicemail',
    eventType: EventTypes.voicemail,
    status: 'voicemail',
    position: null,
    voicemail: true,
    adds: `${VM_ROW}; usually none yet: the caller is hearing the greeting, and one who hangs up on it leaves no voicemail row`,
    message: `\`call.voicemail\` (the caller reached the voicemail box); ${VM_MESSAGE}`,
  },
  {
    state: 'voicemail_uploaded',
    eventType: EventTypes.voicemail,
    status: 'voicemail',
    position: null,
    voicemail: true,
    adds: VM_ROW,
    message: `${VM_MESSAGE}; else \`call.voicemail\``,
  },
];

const BY_STATE: ReadonlyMap<string, CallStateRow> = new Map(CALL_STATES.map((row) => [row.state, row]));
const BY_EVENT_TYPE: ReadonlyMap<string, CallStateRow> = new Map(
  CALL_STATES.filter((row) => row.eventType !== null).map((row) => [row.eventType as string, row]),
);

/** Dialpad `state` → our event type. A state not in the table (or `all`) becomes `call.<state>`: an unknown state. */
export function eventTypeForState(state: string): string {
  return BY_STATE.get(state)?.eventType ?? `call.${state}`;
}

/** The row of an event type (several states may share one, with the same effect); undefined: an unknown type. */
export function callStateOfEventType(eventType: string): CallStateRow | undefined {
  return BY_EVENT_TYPE.get(eventType);
}

/** True for a Dialpad state the table answers (not `all`, not a future state). */
export function isKnownState(state: string): boolean {
  return BY_STATE.get(state)?.eventType != null;
}

function statusText(row: CallStateRow): string {
  if (row.eventType === null) return '—';
  if (row.position === 'on_hold' || row.position === 'parked') return `\`${row.position}\` (a connected call)`;
  if (row.status === null) return '— (none of its own)';
  if (row.status === 'hangup') return '`ended`, or `missed` if it never connected (`unanswered` for a leg: see "Conversations")';
  if (row.status === 'missed') return '`missed` (`unanswered` for a leg: see "Conversations")';
  return `\`${row.status}\``;
}

/** The table as it stands in docs/wire-protocol.md, "Dialpad call states". */
export function callStatesMarkdown(): string {
  const lines = [
    '| Dialpad `state` | event type | call status | adds to the call | WebSocket message |',
    '|---|---|---|---|---|',
    ...CALL_STATES.map((row) =>
      [`\`${row.state}\``, row.eventType === null ? '—' : `\`${row.eventType}\``, statusText(row), row.adds, row.message].join(' | '),
    ).map((line) => `| ${line} |`),
    '| any other word | `call.<state>` | — | nothing: stored, marked processed, counted in `cti_dialpad_unknown_states_total{state}`; never an error | none |',
  ];
  return lines.join('\n');
}
