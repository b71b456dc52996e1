import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { dataSourceOptions } from './data-source-options.js';
import { runMigrations } from './migrate.js';
import { Sql } from './sql.js';

@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** One TypeORM DataSource (pg pool) for the process; migrations run at start when enabled. */
@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        if (!config.DATABASE_URL) throw new Error('DATABASE_URL is not resolved');
        const dataSource = new DataSource(dataSourceOptions(config.DATABASE_URL));
        await dataSource.initialize();
        if (config.MIGRATIONS_RUN) {
          const applied = await runMigrations(dataSource);
          if (applied.length > 0) new Logger('Database').log(`applied migrations: ${applied.join(', ')}`);
        }
        return dataSource;
      },
    },
    DataSourceCloser,
    Sql,
  ],
  exports: [DataSource, Sql],
})
export class DatabaseModule {}
