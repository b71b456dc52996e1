import pg from 'pg';

/** Drops the run's template database. */
export default async function globalTeardown() {
  const name = process.env.TURBO_CTI_TEST_TEMPLATE_DB;
  if (!name) return;
  const client = new pg.Client({
    connectionString: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
