import { formatDate } from '../common/dates';
import { chartDescription, chartTitle } from './burndown-chart';
import { BURN_RATE_MONTHS, PLAN_THRESHOLD_PERCENT, PlanFlagKind } from './burndown.rules';
import type { BurndownReport } from './burndown.service';

export const FLAG_LABELS: Record<PlanFlagKind, string> = {
  over: 'Over-spending',
  under: 'Under-spending',
  on_plan: 'On plan',
  none: 'Nothing yet',
};

/** Where a report (or its chart, with `.svg`) lives, for the same asOf. */
export function burndownPath(report: BurndownReport, suffix = ''): string {
  const query = new URLSearchParams({ asOf: report.asOf });
  if (report.scope === 'program') {
    query.set('programId', String(report.id));
    return `/reports/burndown${suffix}?${query.toString()}`;
  }
  return `/grants/${report.id}/burndown${suffix}?${query.toString()}`;
}

/** What views/reports/burndown.hbs shows: the report, its chart's address and words, the rules. */
export function burndownPage(report: BurndownReport) {
  const { headline } = report;
  return {
    pageTitle:
      report.scope === 'grant'
        ? `Burn-down — ${report.grant?.awardNumber ?? ''} as of ${formatDate(report.asOf)}`
        : `Program burn-down — ${report.name} as of ${formatDate(report.asOf)}`,
    report,
    isProgram: report.scope === 'program',
    asOfLabel: formatDate(report.asOf),
    startLabel: formatDate(report.startDate),
    endLabel: formatDate(report.endDate),
    rows: report.rows.map((row) => ({ ...row, known: row.actualCents !== null })),
    headline,
    flagClass: `app-flag--${headline.flag.kind}`,
    flagLabel: FLAG_LABELS[headline.flag.kind],
    burnRateKnown: headline.burnRate.cents !== null,
    chart: {
      src: burndownPath(report, '.svg'),
      title: chartTitle(report),
      description: chartDescription(headline),
    },
    thresholdPercent: PLAN_THRESHOLD_PERCENT,
    burnRateMonths: BURN_RATE_MONTHS,
  };
}
