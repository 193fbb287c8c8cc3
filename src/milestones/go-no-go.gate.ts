import { formatDate } from '../common/dates';
import { Injectable } from '@nestjs/common';
import { EntityManager, LessThanOrEqual, MoreThanOrEqual } from 'typeorm';
import { ReadCache } from '../common/database/read-cache';
import { BudgetPeriod } from '../grants/budget-period.entity';
import { Milestone } from './milestone.entity';

/**
 * DESIGN.md §3 rule 7: no expenditure may be dated in, and no incremental funding may be effective
 * for, budget period N+1 until the go/no-go milestone that closes budget period N is decided `go`.
 *
 * Only the boundary immediately before the date's period is checked. An earlier no-go already blocked
 * everything after it when that period was funded, and re-checking every boundary would let a
 * decision long settled veto today's work; rule 7 names the one previous gate, and so does this.
 */
@Injectable()
export class GoNoGoGate {
  constructor(private readonly cache: ReadCache) {}

  /**
   * Runs inside the caller's write transaction (`manager`), so a decision cannot change between the
   * check and the caller's write. Returns null when `date` is open, else a message for the user.
   * A date outside every budget period (or in BP1) is left to the rules that own those dates.
   */
  async blockedBy(
    manager: EntityManager,
    grantId: number,
    date: string,
    /** The grant's budget periods, when the caller has them already (saves a query). */
    periods?: readonly BudgetPeriod[],
  ): Promise<string | null> {
    const period = periods
      ? (periods.find((p) => p.startDate <= date && date <= p.endDate) ?? null)
      : await manager.findOneBy(BudgetPeriod, {
          grantId,
          startDate: LessThanOrEqual(date),
          endDate: MoreThanOrEqual(date),
        });
    if (!period || period.number <= 1) return null;
    const n = period.number;
    const previous = n - 1;
    // Cached (milestones change seldom; this runs inside the write lock), never once the caller's
    // transaction has written milestones itself.
    const gates = await this.cache.get(['milestones'], `gates:${grantId}:${previous}`, () =>
      manager.find(Milestone, {
        where: { grantId, budgetPeriod: previous, kind: 'go_no_go' },
        order: { dueDate: 'ASC', id: 'ASC' },
      }),
    );
    if (gates.length === 0) {
      return `Budget period ${n} starts after the go/no-go decision that closes budget period ${previous}, and budget period ${previous} has no go/no-go milestone yet: add one and record a ‘go’ first.`;
    }
    // One gate per budget period is the rule, but every gate on the boundary must be a timely go.
    for (const gate of gates) {
      const named = `Budget period ${n} is gated by “${gate.title}” (due ${formatDate(gate.dueDate)})`;
      if (gate.decision === 'no_go') {
        return `${named}, which was decided no-go on ${formatDate(gate.decidedOn)}; budget period ${n} cannot be funded or charged.`;
      }
      if (gate.decision !== 'go' || gate.decidedOn === null) {
        return `${named}, still pending: record a ‘go’ decision before anything is funded or charged in budget period ${n}.`;
      }
      if (gate.decidedOn > date) {
        return `${named}, which was decided go on ${formatDate(gate.decidedOn)}, after ${formatDate(date)}: nothing in budget period ${n} can be dated before the decision.`;
      }
    }
    return null;
  }
}
