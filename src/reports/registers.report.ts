import { EntityManager } from 'typeorm';
import { CsvReport, keysetPages } from '../common/csv';
import { namedQuery } from '../common/database/named-query';
import {
  amendmentAsOf,
  asOfParams,
  costShareMetSql,
  federalSpentSql,
  obligatedSql,
  recordedAsOf,
} from '../common/as-of';

/** Registers are small (grants, amendments, budget lines): pages of 1,000 rows. */
const PAGE = 1_000;

export interface GrantRegisterRow {
  id: number;
  awardNumber: string;
  title: string;
  recipient: string;
  recipientType: string;
  state: string;
  piName: string;
  status: string;
  startDate: string;
  endDate: string;
  obligatedCents: number;
  federalSpentCents: number;
  remainingCents: number;
  costShareCommittedCents: number;
  costShareMetCents: number;
}

/**
 * The grants register as of a date: every grant the records held at the end of that day, with its
 * award number, title, status, dates, commitment and recipient as recorded then (recordedAsOf),
 * obligations (amendments effective by then and recorded by the end of it), federal spending and
 * cost share met (the ledger as of then: the same SQL as the ledger CSV, so federal_spent equals the
 * ledger's federal total per grant to the cent).
 */
export function grantsRegister(
  manager: EntityManager,
  asOf: string,
  timeZone: string,
  pageSize = PAGE,
): CsvReport<GrantRegisterRow> {
  return {
    name: 'grants',
    columns: [
      { name: 'award_number', kind: 'text', value: (r) => r.awardNumber },
      { name: 'title', kind: 'text', value: (r) => r.title },
      { name: 'recipient', kind: 'text', value: (r) => r.recipient },
      { name: 'recipient_type', kind: 'text', value: (r) => r.recipientType },
      { name: 'state', kind: 'text', value: (r) => r.state },
      { name: 'pi_name', kind: 'text', value: (r) => r.piName },
      { name: 'status', kind: 'text', value: (r) => r.status },
      { name: 'start_date', kind: 'date', value: (r) => r.startDate },
      { name: 'end_date', kind: 'date', value: (r) => r.endDate },
      { name: 'obligated', kind: 'money', value: (r) => r.obligatedCents },
      { name: 'federal_spent', kind: 'money', value: (r) => r.federalSpentCents },
      { name: 'remaining', kind: 'money', value: (r) => r.remainingCents },
      { name: 'cost_share_committed', kind: 'money', value: (r) => r.costShareCommittedCents },
      { name: 'cost_share_met', kind: 'money', value: (r) => r.costShareMetCents },
    ],
    pages: () =>
      keysetPages<GrantRegisterRow>(async (after, limit) => {
        const keyset = after
          ? 'WHERE (g.award_number > :key OR (g.award_number = :key AND g.id > :keyId))'
          : '';
        const raw = await namedQuery<Record<keyof GrantRegisterRow, string | number>>(
          manager,
          `SELECT p.*, p."obligatedCents" - p."federalSpentCents" AS "remainingCents"
             FROM (SELECT g.id AS "id", g.award_number AS "awardNumber", g.title AS "title",
                          r.name AS "recipient", r.type AS "recipientType", r.state AS "state",
                          g.pi_name AS "piName", g.status AS "status",
                          g.start_date AS "startDate", g.end_date AS "endDate",
                          ${obligatedSql('g.id')} AS "obligatedCents",
                          ${federalSpentSql('g.id')} AS "federalSpentCents",
                          g.cost_share_committed_cents AS "costShareCommittedCents",
                          ${costShareMetSql('g.id')} AS "costShareMetCents"
                     FROM ${recordedAsOf('grants')} g
                     JOIN ${recordedAsOf('recipients')} r ON r.id = g.recipient_id
                    ${keyset}
                    ORDER BY g.award_number, g.id LIMIT :limit) p
            ORDER BY p."awardNumber", p."id"`,
          { ...asOfParams(asOf, timeZone), key: after?.awardNumber, keyId: after?.id, limit },
        );
        return raw.map((r) => ({
          id: Number(r.id),
          awardNumber: String(r.awardNumber),
          title: String(r.title),
          recipient: String(r.recipient),
          recipientType: String(r.recipientType),
          state: String(r.state),
          piName: String(r.piName),
          status: String(r.status),
          startDate: String(r.startDate),
          endDate: String(r.endDate),
          obligatedCents: Number(r.obligatedCents),
          federalSpentCents: Number(r.federalSpentCents),
          remainingCents: Number(r.remainingCents),
          costShareCommittedCents: Number(r.costShareCommittedCents),
          costShareMetCents: Number(r.costShareMetCents),
        }));
      }, pageSize),
  };
}

export interface AmendmentRegisterRow {
  grantId: number;
  awardNumber: string;
  number: number;
  effectiveDate: string;
  kind: string;
  federalChangeCents: number;
  newEndDate: string | null;
  note: string;
}

/**
 * Amendments effective on or before asOf and recorded by the end of it (amendmentAsOf: the same rule
 * as obligations in the register and the burn-down, so federal_change sums to obligated), of the
 * grants that existed then, under their award numbers of then, by award number and amendment number.
 */
export function amendmentsRegister(
  manager: EntityManager,
  asOf: string,
  timeZone: string,
  pageSize = PAGE,
): CsvReport<AmendmentRegisterRow> {
  return {
    name: 'amendments',
    columns: [
      { name: 'award_number', kind: 'text', value: (r) => r.awardNumber },
      { name: 'number', kind: 'integer', value: (r) => r.number },
      { name: 'effective_date', kind: 'date', value: (r) => r.effectiveDate },
      { name: 'kind', kind: 'text', value: (r) => r.kind },
      { name: 'federal_change', kind: 'money', value: (r) => r.federalChangeCents },
      { name: 'new_end_date', kind: 'date', value: (r) => r.newEndDate },
      { name: 'note', kind: 'text', value: (r) => r.note },
    ],
    pages: () =>
      keysetPages<AmendmentRegisterRow>(async (after, limit) => {
        const keyset = after
          ? `AND (g.award_number > :key OR (g.award_number = :key AND a.number > :keyNumber))`
          : '';
        const raw = await namedQuery<Record<keyof AmendmentRegisterRow, string | number | null>>(
          manager,
          `SELECT a.grant_id AS "grantId", g.award_number AS "awardNumber", a.number AS "number",
                  a.effective_date AS "effectiveDate", a.kind AS "kind",
                  a.federal_change_cents AS "federalChangeCents", a.new_end_date AS "newEndDate",
                  a.note AS "note"
             FROM amendments a JOIN ${recordedAsOf('grants')} g ON g.id = a.grant_id
            WHERE ${amendmentAsOf('a')} ${keyset}
            ORDER BY g.award_number, a.number LIMIT :limit`,
          {
            ...asOfParams(asOf, timeZone),
            key: after?.awardNumber,
            keyNumber: after?.number,
            limit,
          },
        );
        return raw.map((r) => ({
          grantId: Number(r.grantId),
          awardNumber: String(r.awardNumber),
          number: Number(r.number),
          effectiveDate: String(r.effectiveDate),
          kind: String(r.kind),
          federalChangeCents: Number(r.federalChangeCents),
          newEndDate: r.newEndDate === null ? null : String(r.newEndDate),
          note: String(r.note ?? ''),
        }));
      }, pageSize),
  };
}

export interface BudgetLineRow {
  awardNumber: string;
  budgetPeriod: number;
  category: string;
  federalCents: number;
  costShareCents: number;
}

/**
 * The budget lines as recorded at the end of asOf (recordedAsOf), of the grants that existed then,
 * under their award numbers of then: a budget edited later does not change the file. By award
 * number, budget period, category.
 */
export function budgetLinesRegister(
  manager: EntityManager,
  asOf: string,
  timeZone: string,
  pageSize = PAGE,
): CsvReport<BudgetLineRow> {
  return {
    name: 'budget-lines',
    columns: [
      { name: 'award_number', kind: 'text', value: (r) => r.awardNumber },
      { name: 'budget_period', kind: 'integer', value: (r) => r.budgetPeriod },
      { name: 'category', kind: 'text', value: (r) => r.category },
      { name: 'federal', kind: 'money', value: (r) => r.federalCents },
      { name: 'cost_share', kind: 'money', value: (r) => r.costShareCents },
    ],
    pages: () =>
      keysetPages<BudgetLineRow>(async (after, limit) => {
        const keyset = after
          ? `WHERE (g.award_number > :key OR (g.award_number = :key AND (b.budget_period > :keyPeriod
               OR (b.budget_period = :keyPeriod AND b.category > :keyCategory))))`
          : '';
        const raw = await namedQuery<Record<keyof BudgetLineRow, string | number>>(
          manager,
          `SELECT g.award_number AS "awardNumber", b.budget_period AS "budgetPeriod",
                  b.category AS "category", b.federal_cents AS "federalCents",
                  b.cost_share_cents AS "costShareCents"
             FROM ${recordedAsOf('budget_lines')} b JOIN ${recordedAsOf('grants')} g ON g.id = b.grant_id
            ${keyset}
            ORDER BY g.award_number, b.budget_period, b.category LIMIT :limit`,
          {
            ...asOfParams(asOf, timeZone),
            key: after?.awardNumber,
            keyPeriod: after?.budgetPeriod,
            keyCategory: after?.category,
            limit,
          },
        );
        return raw.map((r) => ({
          awardNumber: String(r.awardNumber),
          budgetPeriod: Number(r.budgetPeriod),
          category: String(r.category),
          federalCents: Number(r.federalCents),
          costShareCents: Number(r.costShareCents),
        }));
      }, pageSize),
  };
}
