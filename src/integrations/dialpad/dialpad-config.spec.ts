import { readFileSync } from 'node:fs';
import { ConfigError, parseConfig } from '../../infra/config/app-config.js';

const BASE = { INTERNAL_JWT_SECRET: 'x'.repeat(40), ENCRYPTION_KEY: '0'.repeat(64) };
const DIALPAD_VARS = [
  'DIALPAD_BASE_URL',
  'DIALPAD_CLIENT_ID',
  'DIALPAD_CLIENT_SECRET',
  'DIALPAD_REDIRECT_URI',
  'DIALPAD_SCOPES',
  'DIALPAD_CONNECT_SUCCESS_URL',
  'DIALPAD_HTTP_TIMEOUT_MS',
  'DIALPAD_RETRY_MAX_ATTEMPTS',
  'DIALPAD_RETRY_BASE_DELAY_MS',
  'DIALPAD_RETRY_MAX_DELAY_MS',
  'DIALPAD_BREAKER_THRESHOLD',
  'DIALPAD_BREAKER_HALF_OPEN_MS',
  'DIALPAD_CALLS_PER_USER_PER_MINUTE',
  'DIALPAD_REQUESTS_PER_SECOND',
  'DIALPAD_TOKEN_REFRESH_SKEW_SECONDS',
];

describe('Dialpad configuration', () => {
  it('has production defaults', () => {
    const c = parseConfig(BASE);
    expect(c).toMatchObject({
      DIALPAD_BASE_URL: 'https://dialpad.com',
      DIALPAD_SCOPES: 'calls:list recordings_export message_content_export screen_pop offline_access',
      DIALPAD_CALLS_PER_USER_PER_MINUTE: 5,
      DIALPAD_REQUESTS_PER_SECOND: 20,
      DIALPAD_TOKEN_REFRESH_SKEW_SECONDS: 60,
    });
    expect(c.DIALPAD_CLIENT_ID).toBeUndefined();
  });

  it('reads empty optional values as unset, and names each bad variable', () => {
    expect(parseConfig({ ...BASE, DIALPAD_CLIENT_ID: '', DIALPAD_REDIRECT_URI: '' }).DIALPAD_CLIENT_ID).toBeUndefined();
    let error: unknown;
    try {
      parseConfig({ ...BASE, DIALPAD_BASE_URL: 'dialpad.com', DIALPAD_SCOPES: 'a  b', DIALPAD_RETRY_MAX_ATTEMPTS: '0' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['DIALPAD_BASE_URL', 'DIALPAD_SCOPES', 'DIALPAD_RETRY_MAX_ATTEMPTS']) expect(problems).toContain(name);
  });

  it('.env.example documents every Dialpad variable with a valid value', () => {
    const text = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const env = Object.fromEntries(
      text
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    for (const name of DIALPAD_VARS) expect(Object.keys(env)).toContain(name);
    const dialpadOnly = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('DIALPAD_') || k === 'PUBLIC_BASE_URL'));
    expect(() => parseConfig({ ...BASE, ...dialpadOnly })).not.toThrow();
  });
});
