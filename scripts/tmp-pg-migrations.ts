import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { SnakeNamingStrategy } from 'typeorm-naming-strategies';
import { MIGRATIONS } from '../migrations';
import { ENTITIES } from '../src/database';

async function main() {
  const ds = await new DataSource({
    type: 'postgres', host: '127.0.0.1', port: 55432, username: 'tracker', database: 'postgres',
    entities: ENTITIES, migrations: MIGRATIONS, migrationsTransactionMode: 'all',
    namingStrategy: new SnakeNamingStrategy(), synchronize: false,
  }).initialize();
  await ds.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  const up = await ds.runMigrations();
  console.log('up', up.length);
  // The new trigger on PG: two entries on one grant make one totals row.
  const cols = await ds.query(`SELECT column_name FROM information_schema.columns WHERE table_name='ledger_totals' ORDER BY ordinal_position`);
  console.log('ledger_totals', cols.map((c: any) => c.column_name).join(','));
  for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration();
  const left = await ds.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema='public' AND table_name <> 'migrations'`);
  console.log('down, tables left', left[0].n);
  const again = await ds.runMigrations();
  console.log('up again', again.length);
  await ds.destroy();
}
main().catch((e) => { console.error(e); process.exit(1); });
