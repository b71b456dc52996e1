import { parseJsonLossless } from '../../common/lossless-json.js';
import { DialpadBadResponseError } from './dialpad-errors.js';
import { readCallId, readCallSubscription, readTokenGrant, readUser, readUserPage } from './dialpad-payloads.js';

describe('Dialpad payload readers', () => {
  it('keeps int64 ids exact, as strings or bare numbers above 2^53', () => {
    expect(readCallId({ call_id: '9007199254740993' })).toBe('9007199254740993');
    expect(readCallId(parseJsonLossless('{"call_id": 9007199254740993}'))).toBe('9007199254740993');
    expect(readCallId({ call_id: 6400000000000001 })).toBe('6400000000000001');
  });

  it('refuses an answer without the id it promised', () => {
    expect(() => readCallId({})).toThrow(DialpadBadResponseError);
    expect(() => readCallId('ok')).toThrow(/initiate_call/);
    expect(() => readTokenGrant({ token_type: 'bearer' })).toThrow(/access_token/);
  });

  it('reads users: lower-cased e-mails, string ids, missing fields as null', () => {
    const user = readUser({ id: '4785129047965697', company_id: 5629499534213120, emails: ['River@Example.com', 3], phone_numbers: ['+15105550142'], state: 'active' });
    expect(user).toEqual({
      id: '4785129047965697',
      company_id: '5629499534213120',
      office_id: null,
      first_name: null,
      last_name: null,
      display_name: null,
      emails: ['river@example.com'],
      phone_numbers: ['+15105550142'],
      state: 'active',
    });
    expect(readUserPage({ items: [{ id: '1' }] })).toMatchObject({ cursor: null, items: [{ id: '1' }] });
    expect(readUserPage({ items: [], cursor: 'abc' }).cursor).toBe('abc');
  });

  it('reads token grants and subscriptions', () => {
    expect(readTokenGrant({ access_token: 'a', refresh_token: 'r', expires_in: 3600, token_type: 'bearer' })).toEqual({
      access_token: 'a',
      refresh_token: 'r',
      expires_in: 3600,
      scope: null,
      token_type: 'bearer',
      company_id: null,
    });
    expect(readTokenGrant({ access_token: 'a' }).expires_in).toBeNull();
    expect(readCallSubscription({ id: '7', call_states: ['all'], enabled: true, webhook: { id: '6' } })).toEqual({ id: '7', call_states: ['all'], enabled: true, webhook_id: '6' });
  });
});
