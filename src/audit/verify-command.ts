import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { AppConfig } from '../common/config';
import { AuditService } from './audit.service';

export interface CommandResult {
  exitCode: number;
  message: string;
}

/**
 * `npm run audit:verify`: recomputes the audit trail's hash chain on the configured database and says
 * whether it is intact or where it first breaks. Exit code 0 when intact, 1 when broken, 2 when there
 * is nothing to verify (a mistyped DATABASE_PATH must not pass as "intact, 0 events").
 */
export async function verifyAuditTrail(config: AppConfig): Promise<CommandResult> {
  if (!existsSync(config.DATABASE_PATH)) {
    return {
      exitCode: 2,
      message: `No database at ${config.DATABASE_PATH}; set DATABASE_PATH to the tracker's database file.`,
    };
  }
  const context = await NestFactory.createApplicationContext(
    AppModule.forRoot({ ...config, SEED_DEMO: false }),
    { logger: false },
  );
  try {
    const check = await context.get(AuditService).verify();
    if (check.intact) {
      return {
        exitCode: 0,
        message: `Audit trail intact: ${check.count} event${check.count === 1 ? '' : 's'}. Latest hash: ${check.lastHash}`,
      };
    }
    const brokenAt = check.brokenAt ?? { id: 0, reason: 'unknown' };
    return {
      exitCode: 1,
      message: `Audit trail BROKEN at event ${brokenAt.id}: ${brokenAt.reason} (${check.count} events before it verified).`,
    };
  } finally {
    await context.close();
  }
}
