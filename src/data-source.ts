import { DataSource } from 'typeorm';
import { databaseLocation, dataSourceOptions } from './database';

// The TypeORM CLI (npm run migration:*) loads this file and uses its default export: PostgreSQL
// when DATABASE_URL is set, the SQLite file DATABASE_PATH otherwise, as for the app.
export default new DataSource(
  dataSourceOptions(
    databaseLocation({
      DATABASE_URL: process.env.DATABASE_URL,
      DATABASE_PATH: process.env.DATABASE_PATH ?? './data/tracker.sqlite',
    }),
  ),
);
