/** The dialer's wire shapes (REST answers and agent socket messages), as the backend sends them. */

export type ReadyState = 'PLAY' | 'PAUSE' | 'STOPPED';

export type DispositionCode = 'CORRECT' | 'WRONG' | 'VM_SAME_NAME' | 'VM_OR_NA_UNKNOWN' | 'NO_ANSWER' | 'SKIP' | 'DNC';

export interface SessionStats {
  dials: number;
  connects: number;
  dispositions: Partial<Record<string, number>>;
  talk_time_ms: number;
  dials_per_hour: number;
}

export interface LeadNumber {
  /** 1-based column index (Num1..Num10) */
  index: number;
  phone: string;
  status: string;
}

export interface LeadView {
  row_id: string;
  name: string;
  notes?: string | null;
  attempts?: number | null;
  time_zone?: string | null;
  /** ISO with offset, or 'HH:mm' */
  local_time?: string | null;
  numbers?: LeadNumber[] | null;
}

export type AttemptStatus = 'dialing' | 'ringing' | 'connected' | 'ended' | 'dispositioned' | 'failed';

export interface AttemptView {
  attempt_id: string;
  status: AttemptStatus;
  row_id: string;
  number_index: number;
  phone: string;
  dialpad_call_id?: string | null;
  dialed_at?: string | null;
  connected_at?: string | null;
  ended_at?: string | null;
  lead?: LeadView | null;
  /** optional: the lead's name when `lead` is absent */
  name?: string | null;
}

export interface SessionView {
  id: string;
  app_id?: string;
  agent_email?: string;
  campaign_name?: string;
  state: ReadyState;
  current_attempt_id?: string | null;
  started_at?: string;
  updated_at?: string;
  stats?: SessionStats | null;
  current_attempt?: AttemptView | null;
  /** the pause in progress (PAUSE only) */
  pause?: { reason: string; since: string } | null;
  /** time paused in this session by reason, the open pause counted up to the answer */
  pause_time_ms?: Record<string, number> | null;
  /** the app's pause reasons (GET /session/current, POST /session/start) */
  pause_reasons?: string[] | null;
}

/** A scheduled callback (GET /api/callbacks, a disposition's `callback`). */
export interface CallbackView {
  id: string;
  row_id: string;
  lead_name: string;
  number_index: number;
  phone: string;
  campaign_name: string;
  agent_email: string;
  only_me: boolean;
  /** the instant (ISO, UTC) */
  due_at: string;
  /** the same in the lead's local time, with its offset */
  due_local: string;
  time_zone: string | null;
  notes: string | null;
  status: string;
  missed: boolean;
}

export interface PlacedDial {
  attempt_id: string;
  row_id: string;
  name: string;
  number_index: number;
  phone: string;
  dialpad_call_id?: string | null;
  lead?: LeadView | null;
  /** the scheduled callback this dial honours */
  callback_id?: string | null;
}

export interface NothingToDial {
  attempt_id: null;
  reason: string;
  skipped?: Record<string, number>;
}

export interface ScheduledDial {
  attempt_id: null;
  scheduled_at: string;
}

export type DialResult = PlacedDial | NothingToDial | ScheduledDial;

export interface ChainedDialError {
  statusCode: number;
  code?: string;
  message: string;
  retry_after_ms?: number;
}

export interface DispositionAnswer {
  attempt_id: string;
  code: string;
  sheet?: string;
  next: DialResult | null;
  next_error?: ChainedDialError;
  /** the callback the disposition scheduled */
  callback?: CallbackView;
}

export interface StartAnswer {
  session: SessionView;
  recovered: boolean;
}

export interface TokenAnswer {
  token: string;
  expires_at: string;
}

/** Messages on the agent's socket that the console acts on. */
export type AgentMessage =
  | { event: 'STATS'; session_id?: string; state?: ReadyState; stats: SessionStats }
  | { event: 'CALL_STATE'; attempt_id: string; status: 'ringing' | 'connected' | 'ended'; connected_at?: string | null; ended_at?: string | null }
  | {
      event: 'SHOW_DISPO';
      attempt_id: string;
      row_id?: string;
      number_index?: number;
      phone?: string;
      dialpad_call_id?: string | null;
      connected?: boolean;
      talk_time_ms?: number;
    }
  | { event: 'DIAL_SCHEDULED'; scheduled_at: string; attempt_id?: string | null }
  | { event: 'DIAL_RESULT'; result: DialResult };
