import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { addDays, daysBetween, isIsoDate, formatDate } from '../common/dates';
import { AuditService } from '../audit/audit.service';
import { PlannedSpendService } from '../budgets/planned-spend.service';
import { namedQuery } from '../common/database/named-query';
import { WritePath } from '../common/database/write-path';
import { contentVersion, FieldErrors, FormError } from '../common/forms';
import { BudgetPeriod } from './budget-period.entity';
import { Grant } from './grant.entity';
import { GrantLookup } from './grant-lookup';

export interface PeriodInput {
  startDate: string;
  endDate: string;
}

/** `2026-06-15 (INV-7)`, the earliest of the rows a schedule change strands, as a person reads it. */
const earliest = (sample: string | null | undefined) =>
  sample ? `${formatDate(sample.slice(0, 10))}${sample.slice(10)}` : '';

/** Reads the submitted rows; a row with both dates blank is an unused "add a period" row. */
export function readPeriodRows(rows: unknown[]): { periods: PeriodInput[]; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const periods: PeriodInput[] = [];
  rows.forEach((row, index) => {
    const cells = row && typeof row === 'object' ? (row as Record<string, unknown>) : {};
    const start = typeof cells.startDate === 'string' ? cells.startDate.trim() : '';
    const end = typeof cells.endDate === 'string' ? cells.endDate.trim() : '';
    if (start === '' && end === '') return;
    const label = `BP${periods.length + 1}`;
    if (!isIsoDate(start))
      errors[`periods.${index}.startDate`] = `${label}: enter the start date as YYYY-MM-DD.`;
    if (!isIsoDate(end))
      errors[`periods.${index}.endDate`] = `${label}: enter the end date as YYYY-MM-DD.`;
    periods.push({ startDate: start, endDate: end });
  });
  return { periods, errors };
}

/** Budget periods are contiguous (BPn+1 starts the day after BPn ends) and inside the period of performance. */
export function checkSchedule(
  grant: Pick<Grant, 'startDate' | 'endDate'>,
  periods: PeriodInput[],
): FieldErrors {
  const errors: FieldErrors = {};
  periods.forEach((period, i) => {
    const key = `periods.${i}`;
    const label = `BP${i + 1}`;
    if (period.endDate < period.startDate) {
      errors[`${key}.endDate`] =
        `${label} ends (${formatDate(period.endDate)}) before it starts (${formatDate(period.startDate)}).`;
      return;
    }
    if (i === 0 && period.startDate !== grant.startDate) {
      errors[`${key}.startDate`] =
        `BP1 must start when the period of performance starts, ${formatDate(grant.startDate)}.`;
    }
    if (period.endDate > grant.endDate) {
      errors[`${key}.endDate`] =
        `${label} ends after the period of performance, which ends ${formatDate(grant.endDate)}.`;
    }
    if (i > 0) {
      const previous = periods[i - 1];
      const expected = addDays(previous.endDate, 1);
      if (period.startDate < expected) {
        const overlap = daysBetween(period.startDate, previous.endDate) + 1;
        errors[`${key}.startDate`] =
          `${label} overlaps BP${i} by ${overlap} day${overlap === 1 ? '' : 's'}: it must start on ${formatDate(expected)}, the day after BP${i} ends.`;
      } else if (period.startDate > expected) {
        const gap = daysBetween(expected, period.startDate);
        errors[`${key}.startDate`] =
          `There is a gap of ${gap} day${gap === 1 ? '' : 's'} between BP${i} and ${label}: it must start on ${formatDate(expected)}, the day after BP${i} ends.`;
      }
    }
  });
  return errors;
}

/** What strandedBy() counts, by its query's `kind`. */
const STRANDED = [
  { one: 'ledger entry', many: 'ledger entries', date: 'incurred' },
  { one: 'milestone', many: 'milestones', date: 'due' },
];

/** The version of a grant's schedule as an edit form carries it: a digest of its periods' dates. */
export function scheduleVersion(
  periods: readonly Pick<BudgetPeriod, 'number' | 'startDate' | 'endDate'>[],
): string {
  return contentVersion(periods.map((p) => [p.number, p.startDate, p.endDate]));
}

@Injectable()
export class BudgetPeriodsService {
  constructor(
    private readonly writes: WritePath,
    private readonly audit: AuditService,
    private readonly plannedSpend: PlannedSpendService,
    private readonly lookup: GrantLookup,
  ) {}

  /**
   * Saves the whole schedule at once: all periods valid, or nothing changes. `expectedVersion` is
   * the schedule's version when the form was opened; a schedule changed since is an edit conflict.
   */
  replace(grantId: number, rows: unknown[], expectedVersion: string): Promise<BudgetPeriod[]> {
    return this.writes.transaction(async (manager) => {
      const grant = await this.lookup.grant(grantId);
      const existing = await this.lookup.budgetPeriods(grantId);
      const current = scheduleVersion(existing);
      if (current !== expectedVersion) {
        throw await this.audit.conflictOn(manager, 'grant’s budget-period schedule', current, {
          entityType: 'budget_period',
          entityIds: existing.map((p) => p.id),
        });
      }
      const { periods, errors } = readPeriodRows(rows);
      if (Object.keys(errors).length > 0) throw new FormError(errors);
      if (periods.length < existing.length) {
        throw new FormError({
          periods: `This grant has ${existing.length} budget periods; a period cannot be removed by leaving its row blank.`,
        });
      }
      if (periods.length === 0)
        throw new FormError({ periods: 'Enter at least one budget period.' });
      const scheduleErrors = checkSchedule(grant, periods);
      if (Object.keys(scheduleErrors).length > 0) throw new FormError(scheduleErrors);
      const stranded = await this.strandedBy(manager, grantId, periods);
      if (stranded) throw new FormError({ periods: stranded });

      for (const [index, period] of periods.entries()) {
        const current = existing[index];
        if (current)
          await this.audit.update(manager, BudgetPeriod, 'budget_period', current.id, period);
        else
          await this.audit.insert(manager, BudgetPeriod, 'budget_period', {
            grantId,
            number: index + 1,
            ...period,
          });
      }
      // The plan spreads each budget line over its period's days: new dates, new months.
      await this.plannedSpend.rebuild(manager, grantId);
      return this.lookup.budgetPeriods(grantId);
    });
  }

  /**
   * Why the new dates would leave ledger entries or milestones outside the budget period they
   * belong to (the form refuses such an entry typed now), naming the first few; null when none.
   */
  private async strandedBy(
    manager: EntityManager,
    grantId: number,
    periods: PeriodInput[],
  ): Promise<string | null> {
    const problems: string[] = [];
    for (const [index, period] of periods.entries()) {
      // One row for the period's entries (kind 0) and one for its milestones (1) outside it.
      const outside = await namedQuery<{ kind: number; n: number | string; sample: string | null }>(
        manager,
        `SELECT 0 AS "kind", COUNT(*) AS "n", MIN(e.incurred_on || ' (' || e.reference || ')') AS "sample"
           FROM expenditures e
          WHERE e.grant_id = :grantId AND e.budget_period = :number
            AND (e.incurred_on < :start OR e.incurred_on > :end)
            -- An entry and its reversal net to nothing: that is how a misplaced entry is corrected.
            AND e.reversal_of IS NULL
            AND NOT EXISTS (SELECT 1 FROM expenditures r WHERE r.reversal_of = e.id)
         UNION ALL
         SELECT 1, COUNT(*), MIN(m.due_date || ' (' || m.title || ')')
           FROM milestones m
          WHERE m.grant_id = :grantId AND m.budget_period = :number
            AND (m.due_date < :start OR m.due_date > :end)`,
        { grantId, number: index + 1, start: period.startDate, end: period.endDate },
      );
      const left = STRANDED.flatMap(({ one, many, date }, i) => {
        const row = outside.find((r) => Number(r.kind) === i);
        const count = Number(row?.n ?? 0);
        if (count === 0) return [];
        return [
          `${count} ${count === 1 ? one : many} (the earliest ${date} ${earliest(row?.sample)})`,
        ];
      });
      if (left.length > 0) {
        problems.push(
          `BP${index + 1} from ${formatDate(period.startDate)} to ${formatDate(period.endDate)} would leave ${left.join(' and ')} outside it.`,
        );
      }
    }
    if (problems.length === 0) return null;
    return `${problems.join(' ')} Nothing was saved: keep the dates that hold them, or move those milestones first (ledger entries are corrected by reversal and re-entry in the right period).`;
  }
}
