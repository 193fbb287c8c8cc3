import { endOfDayUtc } from './office-day';

/**
 * What "as of a date" means in SQL (DESIGN.md §4), in one place for everything that must agree to
 * the cent (the ledger list and CSV, budgets, grants register, burn-down, reconciliation). Each fragment reads the
 * `:asOf` parameter (and `:asOfEnd` for timestamps); pass asOfParams(asOf, timeZone) with the query.
 */

/**
 * `:asOf`, and `:asOfEnd`: the first UTC instant after asOf's day in the office's time zone (the zone
 * that decides what "today" is), which created_at / occurred_at must be before.
 */
export const asOfParams = (asOf: string, timeZone: string) => ({
  asOf,
  asOfEnd: endOfDayUtc(asOf, timeZone),
});

/** A ledger entry counts when incurred on or before asOf AND recorded on or before it. */
export const ledgerAsOf = (alias: string) =>
  `${alias}.incurred_on <= :asOf AND ${alias}.recorded_on <= :asOf`;

/**
 * An amendment counts when effective on or before asOf AND recorded by the end of that day: a
 * deobligation typed today, effective two weeks ago, does not change yesterday's reports.
 */
export const amendmentAsOf = (alias: string) =>
  `${alias}.effective_date <= :asOf AND ${alias}.created_at < :asOfEnd`;

/**
 * An append-only record (an amendment, a TRL assessment) existed on asOf when it was recorded before
 * the end of that day (office zone). Records that can change are read through recordedAsOf().
 */
export const createdAsOf = (alias: string) => `${alias}.created_at < :asOfEnd`;

/** The tables with system-versioned history (migration RecordHistory): every one a report reads. */
export type VersionedTable =
  | 'programs'
  | 'recipients'
  | 'grants'
  | 'budget_periods'
  | 'budgets'
  | 'budget_lines'
  | 'planned_spend'
  | 'milestones'
  | 'technologies'
  | 'technology_elements'
  | 'grant_technologies';

/**
 * The rows of `table` as the office's records stood at the end of asOf — "what did the records say
 * at the end of day D?" — with the table's own column names, for use in place of the table:
 * `FROM ${recordedAsOf('grants')} g`. A row exists as of D when a version of it was recorded before
 * the end of D and not replaced or deleted by then; every report reads existence this way, so no
 * two reports disagree about which records existed. Reads `:asOfEnd` (asOfParams).
 */
export const recordedAsOf = (table: VersionedTable): string =>
  `(SELECT * FROM ${table}_history
     WHERE recorded_from < :asOfEnd AND (recorded_to IS NULL OR recorded_to >= :asOfEnd))`;

/** Federal spending of grant `grantColumn` as of asOf, reversals included. */
export const federalSpentSql = (grantColumn: string) =>
  `(SELECT COALESCE(SUM(e.amount_cents), 0) FROM expenditures e
     WHERE e.grant_id = ${grantColumn} AND ${ledgerAsOf('e')} AND e.share = 'federal')`;

/**
 * The same figure as federalSpentSql (or costShareMetSql for `cost_share`), read from the grant's
 * running total (`ledger_totals`, which a trigger keeps on every new entry) when all of its entries
 * count by asOf — every one incurred and recorded on or before it, as for today — and summed from
 * the ledger otherwise. For pages that need every grant's spending at once (the dashboard).
 */
export const ledgerSpentSql = (grantColumn: string, share: 'federal' | 'cost_share') =>
  `COALESCE((SELECT CASE WHEN t.last_incurred_on <= :asOf AND t.last_recorded_on <= :asOf
                         THEN t.amount_cents
                         ELSE (SELECT COALESCE(SUM(e.amount_cents), 0) FROM expenditures e
                                WHERE e.grant_id = t.grant_id AND ${ledgerAsOf('e')}
                                  AND e.share = t.share) END
               FROM ledger_totals t WHERE t.grant_id = ${grantColumn} AND t.share = '${share}'), 0)`;

/** Cost share met (recipient share spent) of a grant as of asOf. */
export const costShareMetSql = (grantColumn: string) =>
  `(SELECT COALESCE(SUM(e.amount_cents), 0) FROM expenditures e
     WHERE e.grant_id = ${grantColumn} AND ${ledgerAsOf('e')} AND e.share = 'cost_share')`;

/**
 * Federal obligations of a grant as of asOf, for reports: its amendments effective by then and
 * recorded by the end of that day. Reads `:asOf` and `:asOfEnd`.
 */
export const obligatedSql = (grantColumn: string) =>
  `(SELECT COALESCE(SUM(a.federal_change_cents), 0) FROM amendments a
     WHERE a.grant_id = ${grantColumn} AND ${amendmentAsOf('a')})`;

/**
 * Federal obligations in force on `:asOf` by the records as they are now, for the rules a new record
 * must meet (spending is held to what is obligated on its date, however late the amendment was
 * typed). Reports use obligatedSql().
 */
export const obligatedInForceSql = (grantColumn: string) =>
  `(SELECT COALESCE(SUM(a.federal_change_cents), 0) FROM amendments a
     WHERE a.grant_id = ${grantColumn} AND a.effective_date <= :asOf)`;
