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
 * whether it is intact or where it first breaks. Exit code 0 when intact, 1 when broken.
 */
export async function verifyAuditTrail(config: AppConfig): Promise<CommandResult> {
  const context = await NestFactory.createApplicationContext(
    AppModule.forRoot({ ...config, SEED_DEMO: false }),
    { logger: false },
  );
  try {
    const check = await context.get(AuditService).verify();
    if (check.intact) {
      return { exitCode: 0, message: `Audit trail intact: ${check.count} events.` };
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
