import 'reflect-metadata';
import { loadConfig } from '../src/common/config';
import { backupDatabase } from '../src/common/database/backup-command';

/** npm run backup -- FILE — a checked, consistent copy of the live SQLite database (exit 0 when good). */
async function main(): Promise<void> {
  const { exitCode, message } = await backupDatabase(loadConfig(), process.argv[2]);
  console.log(message);
  process.exitCode = exitCode;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
