import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { AppsService } from '../apps/apps.service.js';
import { mintAdminToken } from '../auth/admin-token.js';
import { loadConfig } from '../infra/config/load-config.js';

const USAGE = `usage: npm run admin -- <command>

  create-app NAME                 create a tenant; prints its id, API key and webhook secret (shown once)
  mint-admin-token [--sub S] [--ttl 12h]
                                  print an admin JWT for /internal/* (HS256, INTERNAL_JWT_SECRET)
`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { sub: { type: 'string', default: 'admin-cli' }, ttl: { type: 'string', default: '12h' } },
  });
  const [command, ...rest] = positionals;
  const { config } = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });

  switch (command) {
    case 'mint-admin-token':
      process.stdout.write((await mintAdminToken(config.INTERNAL_JWT_SECRET, values.sub, values.ttl)) + '\n');
      return 0;
    case 'create-app': {
      const name = rest.join(' ').trim();
      if (!name) break;
      if (!config.DATABASE_URL) {
        process.stderr.write('DATABASE_URL must be set (or use the demo app printed by `npm start`)\n');
        return 78;
      }
      const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
      try {
        const app = await ctx.get(AppsService).create(name, { actor: `cli:${values.sub}`, ip: null, userAgent: null });
        process.stdout.write(JSON.stringify(app, null, 2) + '\n');
      } finally {
        await ctx.close();
      }
      return 0;
    }
    case undefined:
      break;
  }
  process.stderr.write(USAGE);
  return 64; // EX_USAGE
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`admin: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
