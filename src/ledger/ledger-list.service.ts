import { ledgerAsOf } from '../common/as-of';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, ObjectLiteral, Repository } from 'typeorm';
import { CostCategory, Share } from '../budgets/budget.constants';
import { namedQuery } from '../common/database/named-query';
import { Cursor, LEDGER_PAGE_SIZE } from './dto/ledger-query.dto';
import { Expenditure } from './expenditure.entity';
import { LedgerRow, toLedgerRow } from './ledger.service';

export interface LedgerFilter {
  grantId?: number;
  category?: CostCategory;
  share?: Share;
  /** Incurred on or after. */
  from?: string;
  /** Incurred on or before. */
  to?: string;
  /** The reference, or its beginning (case-sensitive). */
  reference?: string;
  /** Only what the ledger held on that day (DESIGN.md §4): incurred and recorded on or before it. */
  asOf?: string;
}

/** Where the page starts: after a row, before a row (or before the end: the last page), or the top. */
export type PagePosition = { after: Cursor } | { before: Cursor | 'end' } | Record<string, never>;

export type LedgerListRow = LedgerRow & { runningCents: number };

export interface LedgerPage {
  items: LedgerListRow[];
  /** Every entry that matches the filters, and their sum. */
  count: number;
  totalCents: number;
  /** The total split by share: federal, and cost share (the rest). */
  federalCents: number;
  costShareCents: number;
  /** 1-based positions of the page's first and last rows in the filtered list (0 when empty). */
  from: number;
  to: number;
  /** The running total before the page's first row, and after its last. */
  openingCents: number;
  closingCents: number;
  size: number;
  hasPrevious: boolean;
  hasNext: boolean;
}

const COLUMNS = `e.id AS "id", e.grant_id AS "grantId", e.budget_period AS "budgetPeriod",
  e.category AS "category", e.incurred_on AS "incurredOn", e.amount_cents AS "amountCents",
  e.share AS "share", e.reference AS "reference", e.memo AS "memo", e.reversal_of AS "reversalOf",
  e.recorded_by AS "recordedBy", e.recorded_at AS "recordedAt", e.recorded_on AS "recordedOn"`;

/**
 * The ledger list, in (incurred_on, id) order with a running total, fast at a million rows: keyset
 * pages instead of OFFSET (a page costs the same wherever it is), the running total at the top of a
 * page is one SUM over the rows before it, and the filtered count and total are one aggregate.
 *
 * The count and total of the whole ledger, or of one grant or share, come from ledger_totals
 * (kept by a trigger on insert): summing a million entries took about 120 ms of every visit.
 *
 * Two plans, chosen by the filters (numbers from scripts/ledger-benchmark.ts, 1,000,000 entries):
 * - grant, share, dates and asOf are in the covering indexes, so the page walks the date index and
 *   both sums read the index alone;
 * - category and reference are in no index. Walking the date index would look up the table row by
 *   row in date order, about 1 s for a rare category or a reference; one sequential scan that sorts
 *   only the matches, and one scan for both sums, bound it near 0.1 s. `incurred_on || ''` is the
 *   portable way to keep the planner off the date index.
 */
@Injectable()
export class LedgerListService {
  constructor(@InjectRepository(Expenditure) private readonly entries: Repository<Expenditure>) {}

  async list(
    filter: LedgerFilter,
    position: PagePosition = {},
    size = LEDGER_PAGE_SIZE,
    manager: EntityManager = this.entries.manager,
  ): Promise<LedgerPage> {
    const { where, params } = filterSql(filter);
    const scan = Boolean(filter.category || filter.reference);
    const on = scan ? "(e.incurred_on || '')" : 'e.incurred_on';
    const after = `${on} >= :keyOn AND (${on} > :keyOn OR e.id > :keyId)`;
    const before = `${on} <= :keyOn AND (${on} < :keyOn OR e.id < :keyId)`;

    const backwards = 'before' in position;
    const key = 'after' in position ? position.after : backwards ? position.before : null;
    const keyed = key !== null && key !== 'end';
    const conditions = keyed ? [...where, backwards ? before : after] : where;
    const keyParams = keyed ? { keyOn: key.incurredOn, keyId: key.id } : {};
    const direction = backwards ? 'DESC' : 'ASC';

    // The page's rows in list order; the grant join runs on those rows only.
    const raw = await namedQuery<RawRow>(
      manager,
      `SELECT p.*, g.award_number AS "awardNumber",
              (SELECT r.id FROM expenditures r WHERE r.reversal_of = p."id") AS "reversedBy"
         FROM (SELECT ${COLUMNS} FROM expenditures e ${whereSql(conditions)}
                ORDER BY ${on} ${direction}, e.id ${direction} LIMIT :limit) p
         JOIN grants g ON g.id = p."grantId"
        ORDER BY p."incurredOn", p."id"`,
      { ...params, ...keyParams, limit: size },
    );
    const rows = raw.map(toLedgerRow);

    // Page 1 has nothing before it; other pages sum what precedes their first row.
    const first = key !== null ? rows[0] : undefined;
    const firstKey = first ? { keyOn: first.incurredOn, keyId: first.id } : {};
    let sums: Sums;
    if (!first) {
      sums = {
        ...(await this.total(manager, filter, where, params)),
        beforeCount: 0,
        beforeCents: 0,
      };
    } else if (key === 'end') {
      // The last page: what precedes it is the total less the page itself, no second scan.
      const total = await this.total(manager, filter, where, params);
      const pageCents = rows.reduce((sum, row) => sum + row.amountCents, 0);
      sums = {
        ...total,
        beforeCount: total.count - rows.length,
        beforeCents: total.cents - pageCents,
      };
    } else if (scan) {
      const [row] = await namedQuery<RawSums>(
        manager,
        `SELECT COUNT(*) AS n, COALESCE(SUM(e.amount_cents), 0) AS cents, ${FEDERAL_SUM},
                COALESCE(SUM(CASE WHEN ${before} THEN 1 ELSE 0 END), 0) AS "beforeN",
                COALESCE(SUM(CASE WHEN ${before} THEN e.amount_cents ELSE 0 END), 0) AS "beforeCents"
           FROM expenditures e ${whereSql(where)}`,
        { ...params, ...firstKey },
      );
      sums = {
        count: Number(row.n),
        cents: Number(row.cents),
        federalCents: Number(row.federal),
        beforeCount: Number(row.beforeN),
        beforeCents: Number(row.beforeCents),
      };
    } else {
      const total = await this.total(manager, filter, where, params);
      const preceding = await this.sum(manager, [...where, before], { ...params, ...firstKey });
      sums = { ...total, beforeCount: preceding.count, beforeCents: preceding.cents };
    }

    let running = sums.beforeCents;
    const items = rows.map((row) => {
      running += row.amountCents;
      return { ...row, runningCents: running };
    });
    return {
      items,
      count: sums.count,
      totalCents: sums.cents,
      federalCents: sums.federalCents,
      costShareCents: sums.cents - sums.federalCents,
      from: items.length > 0 ? sums.beforeCount + 1 : 0,
      to: sums.beforeCount + items.length,
      openingCents: sums.beforeCents,
      closingCents: running,
      size,
      hasPrevious: sums.beforeCount > 0,
      hasNext: items.length > 0 && sums.beforeCount + items.length < sums.count,
    };
  }

  /**
   * Every entry that matches the filters: their count, sum and federal part. Filtered by grant and
   * share at most, these are the rows of ledger_totals, which the database keeps as entries are
   * inserted (migration LedgerTotals); any other filter sums the entries themselves.
   */
  private async total(
    manager: EntityManager,
    filter: LedgerFilter,
    where: string[],
    params: ObjectLiteral,
  ): Promise<{ count: number; cents: number; federalCents: number }> {
    const { grantId, share, ...others } = filter;
    if (Object.values(others).some((value) => value !== undefined)) {
      return this.sum(manager, where, params);
    }
    const conditions = [
      ...(grantId !== undefined ? ['t.grant_id = :grantId'] : []),
      ...(share ? ['t.share = :share'] : []),
    ];
    const [row] = await namedQuery<RawSum>(
      manager,
      `SELECT COALESCE(SUM(t.entry_count), 0) AS n, COALESCE(SUM(t.amount_cents), 0) AS cents,
              COALESCE(SUM(CASE WHEN t.share = 'federal' THEN t.amount_cents ELSE 0 END), 0) AS federal
         FROM ledger_totals t ${whereSql(conditions)}`,
      { grantId, share },
    );
    return { count: Number(row.n), cents: Number(row.cents), federalCents: Number(row.federal) };
  }

  private async sum(
    manager: EntityManager,
    where: string[],
    params: ObjectLiteral,
  ): Promise<{ count: number; cents: number; federalCents: number }> {
    const [row] = await namedQuery<RawSum>(
      manager,
      `SELECT COUNT(*) AS n, COALESCE(SUM(e.amount_cents), 0) AS cents, ${FEDERAL_SUM}
         FROM expenditures e ${whereSql(where)}`,
      params,
    );
    return { count: Number(row.n), cents: Number(row.cents), federalCents: Number(row.federal) };
  }
}

/** The federal share of the matching entries (share is in the covering indexes). */
const FEDERAL_SUM = `COALESCE(SUM(CASE WHEN e.share = 'federal' THEN e.amount_cents ELSE 0 END), 0) AS federal`;

interface Sums {
  count: number;
  cents: number;
  federalCents: number;
  beforeCount: number;
  beforeCents: number;
}
type RawSums = RawSum & { beforeN: number | string; beforeCents: number | string };
type RawRow = Omit<LedgerRow, 'amountCents' | 'reversedBy' | 'reversalOf'> & {
  amountCents: number | string;
  reversedBy: number | string | null;
  reversalOf: number | string | null;
};
type RawSum = { n: number | string; cents: number | string; federal: number | string };

/** The ledger's filters as SQL conditions on alias `e`; the list and the ledger CSV share them. */
export function filterSql(filter: LedgerFilter): { where: string[]; params: ObjectLiteral } {
  const where: string[] = [];
  const params: ObjectLiteral = {};
  if (filter.grantId !== undefined) {
    where.push('e.grant_id = :grantId');
    params.grantId = filter.grantId;
  }
  if (filter.category) {
    where.push('e.category = :category');
    params.category = filter.category;
  }
  if (filter.share) {
    where.push('e.share = :share');
    params.share = filter.share;
  }
  if (filter.from) {
    where.push('e.incurred_on >= :from');
    params.from = filter.from;
  }
  if (filter.to) {
    where.push('e.incurred_on <= :to');
    params.to = filter.to;
  }
  if (filter.reference) {
    // substr, not LIKE: the same case-sensitive prefix match on SQLite and PostgreSQL.
    where.push('substr(e.reference, 1, :referenceLength) = :reference');
    params.reference = filter.reference;
    params.referenceLength = [...filter.reference].length;
  }
  if (filter.asOf) {
    where.push(ledgerAsOf('e'));
    params.asOf = filter.asOf;
  }
  return { where, params };
}

const whereSql = (conditions: string[]) =>
  conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
