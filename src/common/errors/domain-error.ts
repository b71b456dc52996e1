/** Every domain failure the service can answer with, mapped to HTTP in one place (all-exceptions.filter.ts). */
export type DomainErrorCode =
  | 'APP_NOT_FOUND'
  | 'APP_INACTIVE'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'INVALID_INPUT'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  /** an upstream (Dialpad) refused or mangled a request we made */
  | 'BAD_GATEWAY'
  /** the app's Dialpad connection is missing or its grant was revoked: connect again */
  | 'DIALPAD_RECONNECT_REQUIRED'
  // the dialer's answers, one code per situation (docs/wire-protocol.md, "Error codes")
  /** the agent has no live session: POST /session/start */
  | 'SESSION_NOT_FOUND'
  /** another dial, disposition or state change of the session holds its lock: retry */
  | 'SESSION_BUSY'
  /** dialing needs the session in PLAY */
  | 'SESSION_NOT_PLAYING'
  /** the session's current attempt still waits for its disposition */
  | 'ATTEMPT_OPEN'
  /** no such attempt in the agent's session */
  | 'ATTEMPT_NOT_FOUND'
  /** the attempt already has its disposition */
  | 'ATTEMPT_DISPOSITIONED'
  /** the attempt's call was never placed (the dial failed) */
  | 'ATTEMPT_NOT_PLACED'
  /** the attempt's call is over (or connected, for Skip): the action no longer applies */
  | 'CALL_NOT_ACTIVE'
  /** the agent is missing, or not Active, in the router sheet */
  | 'AGENT_NOT_ROUTED';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function httpStatusOf(code: DomainErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'APP_INACTIVE':
    case 'FORBIDDEN':
    case 'AGENT_NOT_ROUTED':
      return 403;
    case 'APP_NOT_FOUND':
    case 'NOT_FOUND':
    case 'SESSION_NOT_FOUND':
    case 'ATTEMPT_NOT_FOUND':
      return 404;
    case 'CONFLICT':
    case 'DIALPAD_RECONNECT_REQUIRED':
    case 'SESSION_BUSY':
    case 'SESSION_NOT_PLAYING':
    case 'ATTEMPT_OPEN':
    case 'ATTEMPT_DISPOSITIONED':
    case 'ATTEMPT_NOT_PLACED':
    case 'CALL_NOT_ACTIVE':
      return 409;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'RATE_LIMITED':
      return 429;
    case 'BAD_GATEWAY':
      return 502;
    case 'UNAVAILABLE':
      return 503;
  }
}
