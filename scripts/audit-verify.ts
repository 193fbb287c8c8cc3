import 'reflect-metadata';
import { verifyAuditTrail } from '../src/audit/verify-command';
import { loadConfig } from '../src/common/config';

/** npm run audit:verify — exit 0 when the audit trail's hash chain is intact, 1 when it is broken. */
async function main(): Promise<void> {
  const { exitCode, message } = await verifyAuditTrail(loadConfig());
  console.log(message);
  process.exitCode = exitCode;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
