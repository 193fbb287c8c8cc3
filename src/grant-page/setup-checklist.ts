import type { Amendment } from '../grants/amendment.entity';
import type { BudgetPeriod } from '../grants/budget-period.entity';
import type { BudgetPeriodGroup } from '../milestones/milestones.service';

/** One set-up step of a new grant: what to do, where, and whether the records show it done. */
export interface SetupStep {
  key: 'budget-periods' | 'initial-amendment' | 'budget' | 'milestones';
  title: string;
  /** What the step records, and what "done" means. */
  hint: string;
  href: string;
  linkText: string;
  done: boolean;
  optional: boolean;
}

export interface SetupChecklist {
  steps: SetupStep[];
  doneCount: number;
  requiredCount: number;
}

/**
 * The set-up steps of a grant in the order they depend on each other (budget periods before the
 * budget grid, the initial amendment before any obligation). Each step is done when the records say
 * so, never by a flag someone ticks; null once every required step is done, so the checklist leaves
 * the page on its own. The go/no-go milestones are offered but do not keep the checklist open.
 */
export function setupChecklist(figures: {
  grantId: number;
  budgetPeriods: BudgetPeriod[];
  amendments: Amendment[];
  federalBudgetCents: number;
  milestoneGroups: BudgetPeriodGroup[];
}): SetupChecklist | null {
  const { grantId, budgetPeriods, amendments, milestoneGroups } = figures;
  const base = `/grants/${grantId}`;
  const gated = budgetPeriods.slice(0, -1).map((p) => p.number);
  const hasGoNoGo = (bp: number) =>
    milestoneGroups.some((g) => g.number === bp && g.milestones.some((m) => m.kind === 'go_no_go'));
  const anyMilestone = milestoneGroups.some((g) => g.milestones.length > 0);
  const steps: SetupStep[] = [
    {
      key: 'budget-periods',
      title: 'Budget periods',
      hint: 'The award’s budget periods (BP1, BP2, …) within the period of performance.',
      href: `${base}/budget-periods/edit`,
      linkText: 'Edit budget periods',
      done: budgetPeriods.length > 0,
      optional: false,
    },
    {
      key: 'initial-amendment',
      title: 'Initial amendment',
      hint: 'The original award, which obligates the first federal money; until then nothing is obligated.',
      href: `${base}/amendments/new`,
      linkText: 'Add the initial amendment',
      done: amendments.some((a) => a.kind === 'initial'),
      optional: false,
    },
    {
      key: 'budget',
      title: 'Budget (SF-424A)',
      hint: 'The federal and cost-share amounts by cost category and budget period.',
      href: `${base}/budget/edit`,
      linkText: 'Edit budget',
      done: figures.federalBudgetCents > 0,
      optional: false,
    },
    {
      key: 'milestones',
      title: 'Milestones and go/no-go decisions',
      hint: 'Optional: the milestones of each budget period, with a go/no-go milestone closing each budget period that another follows.',
      href: `${base}/milestones/new`,
      linkText: 'New milestone',
      done: anyMilestone && gated.every(hasGoNoGo),
      optional: true,
    },
  ];
  const required = steps.filter((s) => !s.optional);
  if (required.every((s) => s.done)) return null;
  return {
    steps,
    doneCount: required.filter((s) => s.done).length,
    requiredCount: required.length,
  };
}
