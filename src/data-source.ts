import { DataSource } from 'typeorm';
import { dataSourceOptions } from './database';

// The TypeORM CLI (npm run migration:*) loads this file and uses its default export.
export default new DataSource(
  dataSourceOptions(process.env.DATABASE_PATH ?? './data/tracker.sqlite'),
);
