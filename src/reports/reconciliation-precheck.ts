import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../common/config';
import { ReconciliationService } from './reconciliation.service';

/** How long the reconciled tables must have had no write before today's check is made again. */
export const QUIET_MS = 5_000;
/** How often the precheck looks at the records' stamp. */
const TICK_MS = 1_000;

/** Why a check was made: logged with its time, so an operator sees what the checks cost. */
export type CheckCause = 'start-up' | 'records changed' | 'new day';

/**
 * Today's reconciliation made ahead of the people who open it (issue 15). It reads the whole ledger
 * three times — 1.2 s at a million entries — so it is made at start-up, before the app takes
 * requests, and again in the background once the records it reads have been left alone for
 * QUIET_MS after a write, or the office's day has turned. The page is then served from the
 * ReadCache; a visit while a check is running waits for that check rather than making another.
 *
 * Only where the ReadCache keeps values (SQLite, one process per file). On PostgreSQL other
 * instances write the same database and nothing is kept, so each visit makes its own check. Not in
 * tests, which call tick() themselves.
 */
@Injectable()
export class ReconciliationPrecheck implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reconciliation');
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  /** The records' stamp last seen, and since when (ms) it has stood. */
  private seen: { stamp: string; since: number } | null = null;
  /** The office day last checked. */
  private day: string | null = null;

  constructor(
    private readonly reconciliation: ReconciliationService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.NODE_ENV === 'test') return;
    if (this.reconciliation.recordsStamp() === null) return;
    await this.check(this.clock.today(), 'start-up');
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /**
   * One look at the records: once their stamp has stood for QUIET_MS and what is kept for today is
   * older than it (or today is a new day), checks today. Resolves to the cause when it checked.
   */
  async tick(now = Date.now()): Promise<CheckCause | null> {
    if (this.running) return null;
    const stamp = this.reconciliation.recordsStamp();
    if (stamp === null) return null;
    if (this.seen?.stamp !== stamp) this.seen = { stamp, since: now };
    if (now - this.seen.since < QUIET_MS) return null;
    const today = this.clock.today();
    if (this.reconciliation.isKept(today)) return null;
    const cause: CheckCause =
      this.day !== null && this.day !== today ? 'new day' : 'records changed';
    await this.check(today, cause);
    return cause;
  }

  private check(today: string, cause: CheckCause): Promise<void> {
    const started = performance.now();
    const running = this.reconciliation
      .report(today)
      .then((report) => {
        this.day = today;
        const ms = Math.round(performance.now() - started);
        this.logger.log({
          msg: `Reconciliation as of ${today} checked in ${ms} ms (${cause}): ${report.result.reconciled ? 'reconciled' : `${report.result.differences.length} differences`}`,
          reconciliationCheckMs: ms,
          cause,
        });
      })
      // A failed check is the page's to show when someone opens it; the app goes on.
      .catch((error: unknown) => this.logger.error(`Reconciliation check failed: ${String(error)}`))
      .finally(() => {
        this.running = null;
      });
    this.running = running;
    return running;
  }
}
