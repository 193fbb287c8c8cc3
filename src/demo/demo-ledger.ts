import type { EntryInput } from '../ledger/ledger.service';
import { CostCategory, Share } from '../budgets/budget.constants';
import { addDays, daysBetween } from '../common/dates';

/*
 * The demo program's budgets and monthly spending (DESIGN.md §8), invented like the awards: every
 * grant spends from its award to the end of last month in realistic categories, some ahead of plan and
 * some behind, one with a duplicate invoice reversed, one buying far more equipment than budgeted (the
 * rebudget flag), and the recipients that committed cost share recording it.
 */

/** Share of each budget period's federal money by category, in percent (they sum to 100). */
// prettier-ignore
const FEDERAL_MIX: Record<'university' | 'national_laboratory', [CostCategory, number][]> = {
  university: [['personnel', 40], ['fringe_benefits', 12], ['travel', 3], ['equipment', 8], ['supplies', 10],
    ['contractual', 5], ['other', 4], ['indirect_charges', 18]],
  national_laboratory: [['personnel', 48], ['fringe_benefits', 16], ['travel', 2], ['equipment', 7],
    ['supplies', 7], ['other', 2], ['indirect_charges', 18]],
};
/** Cost share is mostly staff time and equipment the recipient contributes. */
const COST_SHARE_MIX: [CostCategory, number][] = [
  ['personnel', 60],
  ['fringe_benefits', 15],
  ['equipment', 25],
];

/** Splits cents by percentages so the parts add up exactly (largest remainder). */
export function splitByPercent<K>(cents: number, mix: [K, number][]): [K, number][] {
  const exact = mix.map(([key, percent]) => [key, (cents * percent) / 100] as const);
  const parts = exact.map(([key, value]) => [key, Math.floor(value)] as [K, number]);
  let left = cents - parts.reduce((sum, [, value]) => sum + value, 0);
  const order = exact
    .map(([, value], i) => ({ i, fraction: value - Math.floor(value) }))
    .sort((a, b) => b.fraction - a.fraction || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    parts[i][1] += 1;
    left -= 1;
  }
  return parts;
}

export interface DemoPeriod {
  number: number;
  startDate: string;
  endDate: string;
}

export type DemoBudgetLine = [
  budgetPeriod: number,
  CostCategory,
  federalCents: number,
  costShareCents: number,
];

/** The budget grid: federal and cost share split evenly between the periods, then by category. */
export function budgetFor(
  recipientType: string,
  periods: DemoPeriod[],
  federalCents: number,
  costShareCents: number,
): DemoBudgetLine[] {
  const even = (cents: number) =>
    splitByPercent(
      cents,
      periods.map((p) => [p.number, 100 / periods.length] as [number, number]),
    );
  const lines = new Map<string, DemoBudgetLine>();
  const line = (bp: number, category: CostCategory) => {
    const key = `${bp}:${category}`;
    if (!lines.has(key)) lines.set(key, [bp, category, 0, 0]);
    return lines.get(key)!;
  };
  for (const [bp, cents] of even(federalCents)) {
    for (const [category, part] of splitByPercent(
      cents,
      FEDERAL_MIX[recipientType === 'national_laboratory' ? 'national_laboratory' : 'university'],
    )) {
      line(bp, category)[2] += part;
    }
  }
  for (const [bp, cents] of even(costShareCents)) {
    for (const [category, part] of splitByPercent(cents, COST_SHARE_MIX)) {
      line(bp, category)[3] += part;
    }
  }
  return [...lines.values()];
}

export interface DemoExpenditure extends Omit<EntryInput, 'grantId'> {
  /** When it was entered: about a week after it was incurred, never after today. */
  recordedOn: string;
}

/** How fast each grant (by position in the demo list) spends against its plan. */
const PACE = [1.0, 0.75, 0.6, 1.12, 0.9, 0.95, 0.95, 0.85, 1.0, 1.15, 1.0, 0.8, 1.05];
/**
 * DE-SC0031986 buys a potentiostat array and a pilot cell in budget period 1: the rebudget flag. In
 * month 10, once year 2's increment is obligated: before it the purchase would exceed its obligations.
 */
export const EQUIPMENT_OVERRUN = { index: 5, month: 10, cents: 36_850_000 };
/** DE-SC0031984 enters one supplies invoice twice and reverses the duplicate. */
export const DUPLICATE_INVOICE = { index: 3, month: 7 };

/** Categories paid every month; the rest come as occasional invoices. */
const MONTHLY: CostCategory[] = ['personnel', 'fringe_benefits', 'supplies', 'indirect_charges'];
const QUARTERLY: CostCategory[] = ['travel', 'contractual', 'other'];

const lastDayOf = (month: string) => addDays(`${nextMonth(month)}-01`, -1);
function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}
/** A small, repeatable wobble (±8 %) so months are not all identical. */
const wobble = (seed: number) => 1 + (((seed * 7919) % 17) - 8) / 100;

/**
 * Monthly entries from the grant's start to the end of last month. Each budget period's lines are
 * spent at the grant's pace over the days that period has in each month; budget period 2 spending
 * starts no earlier than its go decision (rule 7).
 */
export function expendituresFor(
  index: number,
  awardNumber: string,
  periods: DemoPeriod[],
  lines: DemoBudgetLine[],
  goDecidedOn: string,
  today: string,
): DemoExpenditure[] {
  const entries: DemoExpenditure[] = [];
  const lastClosed = addDays(`${today.slice(0, 7)}-01`, -1);
  const suffix = awardNumber.slice(-4);
  let monthIndex = 0;
  for (const period of periods) {
    const days = daysBetween(period.startDate, period.endDate) + 1;
    for (
      let month = period.startDate.slice(0, 7);
      `${month}-01` <= period.endDate;
      month = nextMonth(month)
    ) {
      const from = `${month}-01` > period.startDate ? `${month}-01` : period.startDate;
      const to = lastDayOf(month) < period.endDate ? lastDayOf(month) : period.endDate;
      if (to > lastClosed) return entries;
      monthIndex += 1;
      let incurredOn = to;
      if (period.number > 1 && incurredOn < goDecidedOn) incurredOn = goDecidedOn;
      const recordedOn = addDays(incurredOn, 8) < today ? addDays(incurredOn, 8) : today;
      const fraction = (daysBetween(from, to) + 1) / days;
      for (const [bp, category, federal, costShare] of lines) {
        if (bp !== period.number) continue;
        const occasional = !MONTHLY.includes(category);
        if (QUARTERLY.includes(category) && monthIndex % 3 !== 0) continue;
        if (category === 'equipment' && ![2, 8, 14, 20, 26, 32].includes(monthIndex)) continue;
        const scale = category === 'equipment' ? 3 : QUARTERLY.includes(category) ? 3 : 1;
        const pace = PACE[index] * wobble(monthIndex + index);
        const add = (share: Share, budgeted: number, reference: string, memo: string) => {
          const cents = Math.round(budgeted * fraction * scale * pace);
          if (cents > 0) {
            entries.push({
              budgetPeriod: bp,
              category,
              incurredOn,
              amountCents: cents,
              share,
              reference,
              memo,
              recordedOn,
            });
          }
        };
        const kind =
          category === 'personnel' || category === 'fringe_benefits'
            ? 'PAY'
            : occasional
              ? 'INV'
              : 'JV';
        add(
          'federal',
          federal,
          `${kind}-${suffix}-${month}-${category.slice(0, 3).toUpperCase()}`,
          monthlyMemo(category, month),
        );
        add(
          'cost_share',
          costShare,
          `CS-${suffix}-${month}-${category.slice(0, 3).toUpperCase()}`,
          'Recipient cost share contribution',
        );
      }
      if (index === EQUIPMENT_OVERRUN.index && monthIndex === EQUIPMENT_OVERRUN.month) {
        entries.push({
          budgetPeriod: period.number,
          category: 'equipment',
          incurredOn,
          amountCents: EQUIPMENT_OVERRUN.cents,
          share: 'federal',
          reference: `PO-${suffix}-EQ-0042`,
          memo: 'Potentiostat array and pilot electrochemical flow cell (not in the approved budget)',
          recordedOn,
        });
      }
    }
  }
  return entries; // prettier-ignore
}

function monthlyMemo(category: CostCategory, month: string): string {
  const labels: Partial<Record<CostCategory, string>> = {
    personnel: 'Salaries and wages',
    fringe_benefits: 'Fringe benefits',
    supplies: 'Laboratory supplies and reagents',
    indirect_charges: 'Indirect costs at the negotiated rate',
    travel: 'Conference and field travel',
    contractual: 'Subcontract invoice',
    other: 'Analytical services',
    equipment: 'Equipment purchase',
  };
  return `${labels[category] ?? category}, ${month}`;
}
