import { replyTo } from './client-protocol.js';

const now = new Date('2026-01-01T00:00:00Z');
const reply = (text: string, binary = false) => replyTo(Buffer.from(text), binary, now);

describe('client protocol', () => {
  it('answers ping with pong', () => {
    expect(reply('{"type":"ping"}')).toEqual({ type: 'pong', ts: '2026-01-01T00:00:00.000Z' });
  });

  it.each([
    ['not json', 'bad_json'],
    ['[1,2]', 'bad_message'],
    ['null', 'bad_message'],
    ['"ping"', 'bad_message'],
    ['{"kind":"ping"}', 'bad_message'],
    ['{"type":42}', 'bad_message'],
    ['{"type":"subscribe"}', 'unknown_type'],
  ])('answers %s with an error (%s)', (text, error) => {
    expect(reply(text)).toMatchObject({ type: 'error', error });
  });

  it('refuses binary frames', () => {
    expect(reply('{"type":"ping"}', true)).toMatchObject({ type: 'error', error: 'binary_not_supported' });
  });
});
