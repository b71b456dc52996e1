import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../infra/config/load-config.js';
import { dataSourceOptions } from '../infra/database/data-source-options.js';
import { runMigrations } from '../infra/database/migrate.js';

/** `npm run migration:run`: applies pending migrations to DATABASE_URL (advisory-locked, safe beside running nodes). */
async function main(): Promise<void> {
  const { config } = loadConfig();
  if (!config.DATABASE_URL) {
    process.stderr.write('DATABASE_URL is not set (the embedded database migrates itself at `npm start`)\n');
    process.exit(78);
  }
  const dataSource = new DataSource(dataSourceOptions(config.DATABASE_URL, { extra: { max: 2 } }));
  await dataSource.initialize();
  try {
    const applied = await runMigrations(dataSource);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'no pending migrations\n');
  } finally {
    await dataSource.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`migration failed: ${(err as Error).message}\n`);
  process.exit(1);
});
