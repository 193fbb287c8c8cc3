import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
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
 * is nothing to verify (a mistyped DATABASE_PATH or DATABASE_URL must not pass as "intact, 0 events").
 */
export async function verifyAuditTrail(config: AppConfig): Promise<CommandResult> {
  if (config.DATABASE_URL) {
    const missing = await missingPostgresDatabase(config.DATABASE_URL);
    if (missing) return { exitCode: 2, message: missing };
  } else if (!existsSync(config.DATABASE_PATH)) {
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

/** Why the PostgreSQL database at `url` cannot be verified (it does not exist), or null. */
async function missingPostgresDatabase(url: string): Promise<string | null> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    return null;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw error; // invalid_catalog_name
    return `No database at ${withoutPassword(url)}; set DATABASE_URL to the tracker's database.`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The URL as it may be shown: its password replaced by asterisks. */
export function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
