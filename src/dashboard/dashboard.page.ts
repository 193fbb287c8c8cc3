import { Page, pageLinks, toPage } from '../common/pagination';
import type { GrantRow } from '../grants/grants.service';
import type { ProgramSummary } from '../programs/programs.service';
import { chartDescription } from '../reports/burndown-chart';
import type { PlanFlagKind } from '../reports/burndown.rules';
import type { BurnIndicator } from '../reports/burndown.service';
import { programPageParam } from './program-pages';

/** Grants per program on the dashboard; the rest are a page away, or in the grants list. */
export const DASHBOARD_PAGE_SIZE = 10;

/**
 * How the dashboard's grants tables are ordered, in the words of their captions (short: a caption is
 * as wide as its table, which scrolls on a phone): flagged grants, then on plan, then nothing planned.
 */
export const ATTENTION_ORDER = 'furthest behind or ahead of plan first';

const RANK: Record<PlanFlagKind, number> = { over: 0, under: 0, on_plan: 1, none: 2 };

/** How far from plan, as a share of the plan to date; spending with nothing planned is furthest. */
const distance = (i: BurnIndicator) =>
  i.plannedToDateCents > 0 ? Math.abs(i.flag.varianceCents) / i.plannedToDateCents : Infinity;

/**
 * Each program's grants, those needing attention first: over- or under-spending by how far from the
 * plan to date, then on plan (likewise), then nothing planned yet; among equals, the order
 * given (award number). Only an order: every figure comes from SQL.
 */
export function byAttention(indicators: readonly BurnIndicator[]): Map<number, BurnIndicator[]> {
  const programs = new Map<number, BurnIndicator[]>();
  for (const indicator of indicators) {
    const list = programs.get(indicator.programId) ?? [];
    list.push(indicator);
    programs.set(indicator.programId, list);
  }
  for (const list of programs.values()) {
    list.sort(
      (a, b) =>
        RANK[a.flag.kind] - RANK[b.flag.kind] ||
        (a.flag.kind === 'none' ? 0 : distance(b) - distance(a)),
    );
  }
  return programs;
}

/** One program's page of grants (its page number brought within its pages). */
export function programPage(
  ordered: readonly BurnIndicator[],
  asked: number | undefined,
): Page<BurnIndicator> {
  const pageCount = Math.max(1, Math.ceil(ordered.length / DASHBOARD_PAGE_SIZE));
  const page = Math.min(asked ?? 1, pageCount);
  const start = (page - 1) * DASHBOARD_PAGE_SIZE;
  return toPage(
    ordered.slice(start, start + DASHBOARD_PAGE_SIZE),
    ordered.length,
    page,
    DASHBOARD_PAGE_SIZE,
  );
}

/** The counts of a program's grants by plan flag, in this order; a count of none is left out. */
const FLAG_COUNTS: { kind: PlanFlagKind; label: string }[] = [
  { kind: 'under', label: 'behind plan' },
  { kind: 'over', label: 'ahead of plan' },
  { kind: 'on_plan', label: 'on plan' },
  { kind: 'none', label: 'nothing planned yet' },
];

export interface ProgramPanel {
  summary: ProgramSummary;
  /** All the program's grants, by attention. */
  ordered: readonly BurnIndicator[];
  page: Page<BurnIndicator>;
}

/**
 * The dashboard's view model: per program its summary, its burn totals and counts over ALL its
 * grants, and the page of its grants shown, with pager links that keep every other program's page.
 */
export function dashboardPage(asOf: string, panels: ProgramPanel[], rows: readonly GrantRow[]) {
  const rowOf = new Map(rows.map((row) => [row.id, row]));
  // Every program's page as shown, page 1 left out: the links change one program's page only.
  const positions: Record<string, number> = {};
  for (const { summary, page } of panels) {
    if (page.page > 1) positions[programPageParam(summary.program.id)] = page.page;
  }
  return {
    pageTitle: 'Dashboard',
    asOf,
    attentionOrder: ATTENTION_ORDER,
    programs: panels.map(({ summary, ordered, page }) => {
      const id = summary.program.id;
      const sum = (pick: (i: BurnIndicator) => number) =>
        ordered.reduce((total, i) => total + pick(i), 0);
      const totals = {
        asOf,
        obligatedCents: sum((i) => i.obligatedCents),
        spentCents: sum((i) => i.spentCents),
        remainingCents: sum((i) => i.remainingCents),
        plannedToDateCents: sum((i) => i.plannedToDateCents),
      };
      const param = programPageParam(id);
      return {
        ...summary,
        spentCents: totals.spentCents,
        flagCounts: FLAG_COUNTS.map(({ kind, label }) => ({
          label,
          count: ordered.filter((i) => i.flag.kind === kind).length,
        })).filter(({ count }) => count > 0),
        grants: page.items.map((burn) => ({ ...rowOf.get(burn.grantId), id: burn.grantId, burn })),
        page,
        pageParam: param,
        pager: pageLinks('/', positions, page, { param, fragment: `#program-${id}` }),
        allGrantsHref: `/grants?programId=${id}`,
        burndown: {
          href: `/reports/burndown?programId=${id}`,
          chartSrc: `/reports/burndown.svg?programId=${id}&asOf=${asOf}`,
          description: chartDescription(totals),
        },
      };
    }),
  };
}
