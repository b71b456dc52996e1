import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig, parseConfig } from './app-config.js';

interface DemoSecrets {
  INTERNAL_JWT_SECRET: string;
  ENCRYPTION_KEY: string;
}

/**
 * Loads the configuration from the environment. In demo mode (no DATABASE_URL)
 * missing secrets are generated once and kept in `<DATA_DIR>/secrets.json`, so
 * `npm start` works on a fresh machine; with DATABASE_URL set they are required.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): { config: AppConfig; notes: string[] } {
  const notes: string[] = [];
  const effective: Record<string, string | undefined> = { ...env };
  if (!env.DATABASE_URL && (!env.INTERNAL_JWT_SECRET || !env.ENCRYPTION_KEY)) {
    const dir = env.DATA_DIR ?? './.data';
    const file = join(dir, 'secrets.json');
    let secrets: DemoSecrets;
    if (existsSync(file)) {
      secrets = JSON.parse(readFileSync(file, 'utf8')) as DemoSecrets;
    } else {
      mkdirSync(dir, { recursive: true });
      secrets = {
        INTERNAL_JWT_SECRET: randomBytes(32).toString('base64url'),
        ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      };
      writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    }
    effective.INTERNAL_JWT_SECRET ??= secrets.INTERNAL_JWT_SECRET;
    effective.ENCRYPTION_KEY ??= secrets.ENCRYPTION_KEY;
    notes.push(`demo mode: secrets not set in the environment were taken from ${file}`);
  }
  return { config: parseConfig(effective), notes };
}
