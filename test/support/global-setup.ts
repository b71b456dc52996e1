import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/infra/database/data-source-options.js';
import { runMigrations } from '../../src/infra/database/migrate.js';
import { databaseUrl, TEMPLATE_ENV, withAdminClient } from './pg-admin.js';

/**
 * Migrates one template database per test run; each e2e test file then clones
 * it (CREATE DATABASE … TEMPLATE) into its own database. The name is random so
 * runs sharing the server (CI) never collide.
 */
export default async function globalSetup(): Promise<void> {
  const name = `cti_tpl_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE ${name}`));
  const ds = new DataSource(dataSourceOptions(databaseUrl(name), { extra: { max: 1 } }));
  await ds.initialize();
  try {
    await runMigrations(ds);
  } finally {
    await ds.destroy();
  }
  process.env[TEMPLATE_ENV] = name;
}
