import type { DataSourceOptions } from 'typeorm';
import { migrations } from './migrations/index.js';

export function dataSourceOptions(url: string, overrides: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTableName: 'typeorm_migrations',
    entities: [],
    extra: { max: 20, connectionTimeoutMillis: 5000, application_name: 'turbo-cti' },
    ...overrides,
  } as DataSourceOptions;
}
