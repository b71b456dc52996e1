import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../infra/config/app-config.js';
import { authFor, SHEETS_SCOPE } from './sheets-api.js';

const BASE = { INTERNAL_JWT_SECRET: 'x'.repeat(32), ENCRYPTION_KEY: '0'.repeat(64) };
const SHEETS_VARS = [
  'GOOGLE_APPLICATION_CREDENTIALS',
  'SHEETS_API_ROOT_URL',
  'SHEETS_REQUEST_TIMEOUT_MS',
  'SHEETS_RETRY_MAX_ATTEMPTS',
  'SHEETS_WRITE_INLINE_RETRIES',
  'SHEETS_RETRY_BASE_DELAY_MS',
  'SHEETS_RETRY_MAX_DELAY_MS',
  'SHEETS_BREAKER_THRESHOLD',
  'SHEETS_BREAKER_HALF_OPEN_MS',
  'SHEETS_CACHE_TTL_SECONDS',
  'SHEETS_OUTBOX_ENABLED',
  'SHEETS_OUTBOX_POLL_INTERVAL_MS',
  'SHEETS_FLUSH_INTERVAL_MS',
  'SHEETS_WRITE_REQUESTS_PER_MINUTE',
  'SHEETS_READ_REQUESTS_PER_MINUTE',
  'SHEETS_QUOTA_WINDOW_MS',
  'SHEETS_QUOTA_USER',
];

describe('Sheets configuration', () => {
  it('defaults: Google\'s endpoint, retries up to ~60 s per delay, an outbox worker, a ten-second cache, one flush a second, Google\'s default quotas', () => {
    const c = parseConfig(BASE);
    expect(c.GOOGLE_APPLICATION_CREDENTIALS).toBeUndefined();
    expect(c.SHEETS_API_ROOT_URL).toBeUndefined();
    expect([c.SHEETS_RETRY_MAX_DELAY_MS, c.SHEETS_OUTBOX_ENABLED, c.SHEETS_CACHE_TTL_SECONDS]).toEqual([60_000, true, 10]);
    expect([c.SHEETS_FLUSH_INTERVAL_MS, c.SHEETS_WRITE_REQUESTS_PER_MINUTE, c.SHEETS_READ_REQUESTS_PER_MINUTE, c.SHEETS_QUOTA_WINDOW_MS]).toEqual([1000, 60, 60, 60_000]);
    expect(parseConfig({ ...BASE, SHEETS_API_ROOT_URL: '' }).SHEETS_API_ROOT_URL).toBeUndefined();
  });

  it('names each bad variable', () => {
    const bad = { SHEETS_API_ROOT_URL: 'localhost:9', SHEETS_RETRY_MAX_ATTEMPTS: '-1', SHEETS_CACHE_TTL_SECONDS: 'soon', SHEETS_OUTBOX_POLL_INTERVAL_MS: '1' };
    const problems = (() => {
      try {
        parseConfig({ ...BASE, ...bad });
        return [];
      } catch (e) {
        return (e as ConfigError).problems.join('\n');
      }
    })();
    for (const name of Object.keys(bad)) expect(problems).toContain(name);
  });

  it('.env.example documents every Sheets variable with a valid value', () => {
    const text = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const env = Object.fromEntries(
      text
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    for (const name of SHEETS_VARS) expect(Object.keys(env)).toContain(name);
    const sheetsOnly = Object.fromEntries(SHEETS_VARS.map((k) => [k, env[k]]));
    expect(() => parseConfig({ ...BASE, ...sheetsOnly })).not.toThrow();
  });

  it('auth: none in emulator mode, the service account when configured, and a key file that cannot be read stops the start', async () => {
    expect(authFor(parseConfig({ ...BASE, SHEETS_API_ROOT_URL: 'http://127.0.0.1:9/' }))).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'sa-'));
    const keyFile = join(dir, 'sa.json');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(keyFile, JSON.stringify({ type: 'service_account', client_email: 'dialer@p.iam.gserviceaccount.com', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) }));
    const withKey = authFor(parseConfig({ ...BASE, GOOGLE_APPLICATION_CREDENTIALS: keyFile, SHEETS_API_ROOT_URL: 'http://127.0.0.1:9/' }));
    expect(await withKey!.getCredentials()).toMatchObject({ client_email: 'dialer@p.iam.gserviceaccount.com' });
    expect((withKey as unknown as { scopes: string[] }).scopes).toEqual([SHEETS_SCOPE]);
    expect(() => authFor(parseConfig({ ...BASE, GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'missing.json') }))).toThrow(
      /GOOGLE_APPLICATION_CREDENTIALS: cannot read the service-account key file/,
    );
    // no root URL and no key: Application Default Credentials
    expect(authFor(parseConfig(BASE))).toBeDefined();
  });
});
