import type { EntityManager } from 'typeorm';
import { costShareFigures, CostShareFigures } from '../budgets/cost-share.rules';
import { namedQuery } from '../common/database/named-query';
import { asOfParams, costShareMetSql, obligatedSql, recordedAsOf } from '../common/as-of';
import { Key, keyParams, register, Register } from './keyset';

export interface CostShareRegisterRow {
  grantId: number;
  awardNumber: string;
  figures: CostShareFigures;
}

export interface CostShareRegisterParams {
  asOf: string;
  /** The office's time zone: what was recorded by the end of asOf there counts. */
  timeZone: string;
}

type Raw = Record<
  'grantId' | 'requiredPercent' | 'committed' | 'obligated' | 'met',
  number | string
> & {
  awardNumber: string;
};

/**
 * Cost share per grant as of a date, in award number order, for the grants the records held at the
 * end of that day. The database sums obligations (amendments effective on or before asOf and recorded
 * by the end of it) and cost share met (cost_share ledger entries incurred and recorded on or before
 * asOf) per grant; costShareFigures — the grant page's own definitions — turns them into required,
 * remaining and shortfall, so the two always agree. The award number, the commitment and the
 * program's required percent are the versions recorded by the end of asOf (recordedAsOf).
 */
export function costShareRegister(
  manager: EntityManager,
  params: CostShareRegisterParams,
): Register<CostShareRegisterRow> {
  const fetch = async (after: Key | null, limit: number) => {
    const where: string[] = [];
    const values: Record<string, unknown> = {
      ...params,
      ...asOfParams(params.asOf, params.timeZone),
      limit,
    };
    if (after) {
      const { placeholders, params: keyValues } = keyParams(after);
      where.push(`(g.award_number, g.id) > ${placeholders}`);
      Object.assign(values, keyValues);
    }
    const raw = await namedQuery<Raw>(
      manager,
      `SELECT g.id AS "grantId", g.award_number AS "awardNumber",
              p.cost_share_percent AS "requiredPercent",
              g.cost_share_committed_cents AS "committed",
              ${obligatedSql('g.id')} AS "obligated",
              ${costShareMetSql('g.id')} AS "met"
         FROM ${recordedAsOf('grants')} g
         JOIN ${recordedAsOf('programs')} p ON p.id = g.program_id
        ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY g.award_number, g.id
        LIMIT :limit`,
      values,
    );
    return raw.map((r) => ({
      grantId: Number(r.grantId),
      awardNumber: r.awardNumber,
      figures: costShareFigures({
        asOf: params.asOf,
        requiredPercent: Number(r.requiredPercent),
        obligatedCents: Number(r.obligated),
        committedCents: Number(r.committed),
        metCents: Number(r.met),
      }),
    }));
  };
  return register(
    'cost-share',
    [
      { name: 'award_number', kind: 'text', value: (r) => r.awardNumber },
      { name: 'required_percent', kind: 'integer', value: (r) => r.figures.requiredPercent },
      { name: 'total_project_cost', kind: 'money', value: (r) => r.figures.totalProjectCents },
      { name: 'required', kind: 'money', value: (r) => r.figures.requiredCents },
      { name: 'committed', kind: 'money', value: (r) => r.figures.committedCents },
      { name: 'met', kind: 'money', value: (r) => r.figures.metCents },
      {
        name: 'remaining_committed',
        kind: 'money',
        value: (r) => r.figures.committedRemainingCents,
      },
      {
        name: 'shortfall_vs_required',
        kind: 'money',
        value: (r) => r.figures.committedShortfallCents,
      },
    ],
    (r) => [r.awardNumber, r.grantId],
    fetch,
  );
}

export const COST_SHARE_KEY_SHAPE: ('string' | 'number')[] = ['string', 'number'];
