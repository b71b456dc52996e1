/** What a client may send on /ws, and what it gets back (pure). */
export type ClientReply =
  | { type: 'pong'; ts: string }
  | { type: 'error'; error: 'bad_json' | 'bad_message' | 'unknown_type' | 'binary_not_supported'; message: string };

export function replyTo(data: Buffer, isBinary: boolean, now: Date): ClientReply {
  if (isBinary) return { type: 'error', error: 'binary_not_supported', message: 'send JSON text frames' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    return { type: 'error', error: 'bad_json', message: 'message is not valid JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { type: 'error', error: 'bad_message', message: 'message must be a JSON object with a "type"' };
  }
  const type = (parsed as { type?: unknown }).type;
  if (typeof type !== 'string') return { type: 'error', error: 'bad_message', message: 'message must have a string "type"' };
  switch (type) {
    case 'ping':
      return { type: 'pong', ts: now.toISOString() };
    default:
      return { type: 'error', error: 'unknown_type', message: `unknown message type "${type.slice(0, 40)}"; supported: ping` };
  }
}
