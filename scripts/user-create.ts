import 'reflect-metadata';
import { createUserCommand } from '../src/accounts/user-create-command';
import { loadConfig } from '../src/common/config';

/** npm run user:create -- --email name@example.gov --role admin [--name "Full Name"] */
async function main(): Promise<void> {
  const result = await createUserCommand(process.argv.slice(2), process.env, loadConfig());
  (result.exitCode === 0 ? console.log : console.error)(result.message);
  process.exitCode = result.exitCode;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
