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

/** An amendment counts when effective on or before asOf. */
export const amendmentAsOf = (alias: string) => `${alias}.effective_date <= :asOf`;

/** A record (grant, …) existed on asOf when it was created before the end of that day (office zone). */
export const createdAsOf = (alias: string) => `${alias}.created_at < :asOfEnd`;

/** Federal spending of grant `grantColumn` as of asOf, reversals included. */
export const federalSpentSql = (grantColumn: string) =>
  `(SELECT COALESCE(SUM(e.amount_cents), 0) FROM expenditures e
     WHERE e.grant_id = ${grantColumn} AND ${ledgerAsOf('e')} AND e.share = 'federal')`;

/** Cost share met (recipient share spent) of a grant as of asOf. */
export const costShareMetSql = (grantColumn: string) =>
  `(SELECT COALESCE(SUM(e.amount_cents), 0) FROM expenditures e
     WHERE e.grant_id = ${grantColumn} AND ${ledgerAsOf('e')} AND e.share = 'cost_share')`;

/** Federal obligations of a grant as of asOf: the sum of its amendments effective by then. */
export const obligatedSql = (grantColumn: string) =>
  `(SELECT COALESCE(SUM(a.federal_change_cents), 0) FROM amendments a
     WHERE a.grant_id = ${grantColumn} AND ${amendmentAsOf('a')})`;
