import { BudgetPeriod } from '../grants/budget-period.entity';
import { Grant } from '../grants/grant.entity';
import type { GrantLookup } from '../grants/grant-lookup';
import { EntityManager } from 'typeorm';
import { obligatedInForceSql } from '../common/as-of';
import { ReadCache } from '../common/database/read-cache';
import { namedQuery } from '../common/database/named-query';

interface FederalPosition {
  /** Amendments effective on or before today. */
  obligatedCents: number;
  /** Every federal entry recorded so far, reversals included. */
  spentCents: number;
  /** Entries accepted earlier in this batch (an import), not written yet. */
  pendingCents: number;
  pendingRows: number;
}

/**
 * What the entry rules read, loaded once per grant and shared by every row of one check: a form is a
 * batch of one, an import a batch of many. Rows accepted earlier count toward the obligation limit of
 * later ones, so a file cannot squeeze ten entries under a limit that fits only one.
 *
 * The grant, its budget periods and its obligations come through the ReadCache: they change seldom,
 * and this runs inside the write lock, where every statement holds up every other writer. The
 * federal spent total is read from the ledger each time.
 */
export class LedgerBatch {
  private readonly federal = new Map<number, FederalPosition>();

  constructor(
    readonly manager: EntityManager,
    readonly today: string,
    private readonly cache: ReadCache,
    private readonly lookup: GrantLookup,
  ) {}

  grant(id: number): Promise<Readonly<Grant> | null> {
    return this.cache.get(['grants'], `grant:${id}`, () => this.lookup.find(id));
  }

  grantByAward(awardNumber: string): Promise<Readonly<Grant> | null> {
    const key = awardNumber.trim().toUpperCase();
    return this.cache.get(['grants'], `award:${key}`, () =>
      this.manager.findOneBy(Grant, { awardNumber: key }),
    );
  }

  periodsOf(grantId: number): Promise<readonly Readonly<BudgetPeriod>[]> {
    return this.cache.get(['budget_periods'], `periods:${grantId}`, () =>
      this.lookup.budgetPeriods(grantId),
    );
  }

  async federalPosition(grantId: number): Promise<FederalPosition> {
    let position = this.federal.get(grantId);
    if (!position) {
      const obligated = await this.cache.get(
        ['amendments'],
        `obligated:${grantId}:${this.today}`,
        async () => {
          const [row] = await namedQuery<{ cents: number | string }>(
            this.manager,
            `SELECT ${obligatedInForceSql(':grantId')} AS "cents"`,
            { grantId, asOf: this.today },
          );
          return Number(row.cents);
        },
      );
      const [spent] = await namedQuery<{ cents: number | string }>(
        this.manager,
        `SELECT COALESCE(SUM(e.amount_cents), 0) AS "cents" FROM expenditures e
          WHERE e.grant_id = :grantId AND e.share = 'federal'`,
        { grantId },
      );
      position = {
        obligatedCents: obligated,
        spentCents: Number(spent.cents),
        pendingCents: 0,
        pendingRows: 0,
      };
      this.federal.set(grantId, position);
    }
    return position;
  }

  /** An accepted entry: later rows of the batch see it as spent. */
  async accept(entry: { grantId: number; share: string; amountCents: number }): Promise<void> {
    if (entry.share !== 'federal') return;
    const position = await this.federalPosition(entry.grantId);
    position.pendingCents += entry.amountCents;
    position.pendingRows += 1;
  }
}
