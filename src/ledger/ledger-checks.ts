import { BudgetPeriod } from '../grants/budget-period.entity';
import { Grant } from '../grants/grant.entity';
import { EntityManager } from 'typeorm';
import { namedQuery } from '../technologies/named-query';

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
 */
export class LedgerBatch {
  private readonly grants = new Map<number, Grant | null>();
  private readonly grantsByAward = new Map<string, Grant | null>();
  private readonly periods = new Map<number, BudgetPeriod[]>();
  private readonly federal = new Map<number, FederalPosition>();

  constructor(
    readonly manager: EntityManager,
    readonly today: string,
  ) {}

  async grant(id: number): Promise<Grant | null> {
    if (!this.grants.has(id)) this.grants.set(id, await this.manager.findOneBy(Grant, { id }));
    return this.grants.get(id)!;
  }

  async grantByAward(awardNumber: string): Promise<Grant | null> {
    const key = awardNumber.trim().toUpperCase();
    if (!this.grantsByAward.has(key)) {
      this.grantsByAward.set(key, await this.manager.findOneBy(Grant, { awardNumber: key }));
    }
    return this.grantsByAward.get(key)!;
  }

  async periodsOf(grantId: number): Promise<BudgetPeriod[]> {
    if (!this.periods.has(grantId)) {
      this.periods.set(
        grantId,
        await this.manager.find(BudgetPeriod, { where: { grantId }, order: { number: 'ASC' } }),
      );
    }
    return this.periods.get(grantId)!;
  }

  async federalPosition(grantId: number): Promise<FederalPosition> {
    let position = this.federal.get(grantId);
    if (!position) {
      // Obligated to date and federal spent, in one statement: this runs inside the write lock.
      const [sums] = await namedQuery<{ obligated: number | string; spent: number | string }>(
        this.manager,
        `SELECT (SELECT COALESCE(SUM(a.federal_change_cents), 0) FROM amendments a
                  WHERE a.grant_id = :grantId AND a.effective_date <= :today) AS "obligated",
                (SELECT COALESCE(SUM(e.amount_cents), 0) FROM expenditures e
                  WHERE e.grant_id = :grantId AND e.share = 'federal') AS "spent"`,
        { grantId, today: this.today },
      );
      position = {
        obligatedCents: Number(sums.obligated),
        spentCents: Number(sums.spent),
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
