import { BudgetLine } from '../../src/budgets/budget-line.entity';
import { Budget } from '../../src/budgets/budget.entity';
import { PlannedSpend } from '../../src/budgets/planned-spend.entity';
import { Amendment } from '../../src/grants/amendment.entity';
import { Expenditure } from '../../src/ledger/expenditure.entity';
import { BudgetPeriod } from '../../src/grants/budget-period.entity';
import { Grant } from '../../src/grants/grant.entity';
import { GrantsService } from '../../src/grants/grants.service';
import { Recipient } from '../../src/grants/recipient.entity';
import { Milestone } from '../../src/milestones/milestone.entity';
import { Program } from '../../src/programs/program.entity';
import { TechnologyElement } from '../../src/technologies/technology-element.entity';
import { Technology } from '../../src/technologies/technology.entity';
import { TrlAssessment } from '../../src/technologies/trl-assessment.entity';
import type { ElementSymbol } from '../../src/technologies/technology.constants';
import type { TestDatabase } from './test-app';
import { AppConfig } from '../../src/common/config';
import { todayIn } from '../../src/common/dates';
import type { EntityManager } from 'typeorm';
import { nowIso, recordingAt } from '../../src/common/database/recording-time';

/**
 * Small factories with overrides; they write through the WritePath like the app does. What they make
 * is recorded at FIXTURES_RECORDED_AT, long before any date a test asks about, so a report for a past
 * date shows the fixture as it was made; what a test then does through the app is recorded now.
 */
export const FIXTURES_RECORDED_AT = '2000-01-01T00:00:00.000Z';

const recorded = <T>(t: TestDatabase, work: (m: EntityManager) => Promise<T>): Promise<T> =>
  recordingAt(FIXTURES_RECORDED_AT, () => t.writes.transaction(work));

let sequence = 0;
const next = () => ++sequence;

export function makeProgram(t: TestDatabase, overrides: Partial<Program> = {}): Promise<Program> {
  return recorded(t, (m) =>
    t.audit.insert(m, Program, 'program', {
      name: `Critical Minerals Program ${next()}`,
      fundingOpportunity: 'DE-FOA-0002483',
      office: 'DOE Office of Science, Basic Energy Sciences',
      ceilingCents: 3_000_000_000,
      startDate: '2025-01-01',
      endDate: '2029-12-31',
      costSharePercent: 20,
      ...overrides,
    }),
  );
}

export function makeRecipient(
  t: TestDatabase,
  overrides: Partial<Recipient> = {},
): Promise<Recipient> {
  return recorded(t, (m) =>
    t.audit.insert(m, Recipient, 'recipient', {
      name: `University of Test ${next()}`,
      type: 'university',
      state: 'WY',
      uei: null,
      ...overrides,
    }),
  );
}

export async function makeGrant(
  t: TestDatabase,
  overrides: Partial<Grant> & { programId: number; recipientId: number },
): Promise<Grant> {
  return recorded(t, (m) =>
    t.audit.insert(m, Grant, 'grant', {
      awardNumber: `DE-SC00${String(next()).padStart(5, '0')}`,
      title: 'Selective separation of heavy rare earths from coal fly ash',
      piName: 'Dr. Ada Example',
      piEmail: 'ada@example.edu',
      status: 'active',
      startDate: '2025-04-01',
      endDate: '2028-03-31',
      costShareCommittedCents: 0,
      ...overrides,
    }),
  );
}

export function makeAmendment(
  t: TestDatabase,
  overrides: Partial<Amendment> & { grantId: number; federalChangeCents: number },
): Promise<Amendment> {
  return recorded(t, async (m) => {
    const count = await m.countBy(Amendment, { grantId: overrides.grantId });
    return t.audit.insert(m, Amendment, 'amendment', {
      number: count,
      effectiveDate: '2025-04-01',
      kind: count === 0 ? 'initial' : 'incremental_funding',
      newEndDate: null,
      note: '',
      ...overrides,
    });
  });
}

/** The factories' grant (2025-04-01 – 2028-03-31) split into two budget periods, BP2 from 2026-04-01. */
export const TWO_BUDGET_PERIODS = [
  { startDate: '2025-04-01', endDate: '2026-03-31' },
  { startDate: '2026-04-01', endDate: '2028-03-31' },
];

export function makeBudgetPeriods(
  t: TestDatabase,
  grantId: number,
  periods: { startDate: string; endDate: string }[],
): Promise<BudgetPeriod[]> {
  return recorded(t, (m) =>
    Promise.all(
      periods.map((p, i) =>
        t.audit.insert(m, BudgetPeriod, 'budget_period', { grantId, number: i + 1, ...p }),
      ),
    ),
  );
}

/** A program with one recipient and one active grant, ready for amendments. */
export async function makeGrantWithProgram(
  t: TestDatabase,
  programOverrides: Partial<Program> = {},
  grantOverrides: Partial<Grant> = {},
) {
  const program = await makeProgram(t, programOverrides);
  const recipient = await makeRecipient(t);
  const grant = await makeGrant(t, {
    programId: program.id,
    recipientId: recipient.id,
    ...grantOverrides,
  });
  return { program, recipient, grant };
}

/** A grant's edit form exactly as the edit page fills it, with some fields changed. */
export function grantEditForm(
  t: TestDatabase,
  grant: Grant,
  overrides: Record<string, string> = {},
) {
  const values = t.app.get(GrantsService).toFormValues(grant);
  return {
    ...Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)])),
    ...overrides,
  };
}

/** A new grant's form as a user types it. */
export const newGrantForm = (overrides: Record<string, string> = {}) => ({
  awardNumber: 'DE-SC0031987',
  title: 'Ligand design for lanthanide separation',
  piName: 'Dr. Grace Example',
  piEmail: 'grace@example.edu',
  status: 'draft',
  startDate: '2025-04-01',
  endDate: '2028-03-31',
  costShareCommitted: '$250,000.00',
  ...overrides,
});

/** A technology with its target elements and the initial assessment that sets its current TRL. */
export function makeTechnology(
  t: TestDatabase,
  overrides: Omit<Partial<Technology>, 'elements'> & {
    elements?: ElementSymbol[];
    assessedOn?: string;
  } = {},
): Promise<Technology> {
  const { elements = ['Nd', 'Dy'], assessedOn = '2025-04-01', ...fields } = overrides;
  return recorded(t, async (m) => {
    const technology = await t.audit.insert(m, Technology, 'technology', {
      name: `Solvent extraction line ${next()}`,
      pathway: 'separation',
      feedstock: 'coal_fly_ash',
      currentTrl: 3,
      targetTrl: 5,
      description: '',
      ...fields,
    });
    for (const element of elements) {
      await m.insert(TechnologyElement, { technologyId: technology.id, element });
    }
    await m.insert(TrlAssessment, {
      technologyId: technology.id,
      assessedOn,
      trl: technology.currentTrl,
      evidence: 'Initial assessment',
      recordedBy: 'manager@example.gov',
      createdAt: nowIso(),
    });
    return technology;
  });
}

export function makeMilestone(
  t: TestDatabase,
  overrides: Partial<Milestone> & { grantId: number },
): Promise<Milestone> {
  const kind = overrides.kind ?? 'deliverable';
  return recorded(t, (m) =>
    t.audit.insert(m, Milestone, 'milestone', {
      budgetPeriod: 1,
      title: `Milestone ${next()}`,
      kind,
      dueDate: '2025-09-30',
      status: 'planned',
      completedOn: null,
      notes: '',
      decision: kind === 'go_no_go' ? 'pending' : null,
      decidedOn: null,
      rationale: '',
      decidedBy: null,
      ...overrides,
    }),
  );
}

/** A ledger entry as the app records it (recorded now, by the test manager) unless overridden. */
export function makeExpenditure(
  t: TestDatabase,
  overrides: Partial<Expenditure> & { grantId: number; amountCents: number },
): Promise<Expenditure> {
  const recordedAt = overrides.recordedAt ?? new Date().toISOString();
  return recorded(t, (m) =>
    t.audit.insert(m, Expenditure, 'expenditure', {
      budgetPeriod: 1,
      category: 'personnel',
      incurredOn: '2025-05-15',
      share: 'federal',
      reference: `INV-${next()}`,
      memo: '',
      reversalOf: null,
      recordedBy: 'manager@example.gov',
      recordedAt,
      recordedOn: todayIn(t.app.get(AppConfig).APP_TIME_ZONE, new Date(recordedAt)),
      ...overrides,
    }),
  );
}

/** A grant's budget: `lines` as [budgetPeriod, category, federalCents, costShareCents]. */
export function makeBudget(
  t: TestDatabase,
  grantId: number,
  lines: [number, BudgetLine['category'], number, number][],
): Promise<Budget> {
  return recorded(t, async (m) => {
    const budget = await t.audit.insert(m, Budget, 'budget', { grantId });
    for (const [budgetPeriod, category, federalCents, costShareCents] of lines) {
      await m.insert(BudgetLine, { grantId, budgetPeriod, category, federalCents, costShareCents });
    }
    return budget;
  });
}

/**
 * Planned spend rows written directly (as the budget grid would derive them), with an audit event:
 * `rows` as [budgetPeriod, category, month 'YYYY-MM', federalCents, costShareCents].
 */
export function makePlannedSpend(
  t: TestDatabase,
  grantId: number,
  rows: [number, PlannedSpend['category'], string, number, number][],
): Promise<void> {
  return recorded(t, async (m) => {
    for (const [budgetPeriod, category, month, federalCents, costShareCents] of rows) {
      await m.insert(PlannedSpend, {
        grantId,
        budgetPeriod,
        category,
        month,
        federalCents,
        costShareCents,
      });
    }
    await t.audit.record(m, { action: 'plan', entityType: 'budget', entityId: grantId });
  });
}

/** A federal expenditure recorded at noon UTC on `recordedOn` (by default the day it was incurred). */
export function spend(
  t: TestDatabase,
  grantId: number,
  incurredOn: string,
  amountCents: number,
  overrides: Partial<Expenditure> = {},
): Promise<Expenditure> {
  const recordedOn = overrides.recordedOn ?? incurredOn;
  return makeExpenditure(t, {
    grantId,
    incurredOn,
    amountCents,
    recordedOn,
    recordedAt: `${recordedOn}T12:00:00.000Z`,
    ...overrides,
  });
}
