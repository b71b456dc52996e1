// TypeORM CLI entry (e.g. `npx typeorm migration:show -d dist/ormconfig.js`).
// The service itself builds its DataSource from the validated config.
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/infra/database/data-source-options.js';

export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/turbo_cti'));
