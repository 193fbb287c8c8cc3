/**
 * Every report the /reports page lists (issue 6). Each has an HTML view at `path`, and unless
 * `csv` is false a CSV twin at `path.csv` and its manifest at `path.manifest.json`, all taking
 * `asOf` (today or earlier) and the listed parameters, which the manifest lists with asOf and bom. A `:id` in the path is a grant id. Append an entry per report.
 */
export interface CatalogEntry {
  name: string;
  title: string;
  path: string;
  description: string;
  /** Query parameters besides asOf and bom: grantId, from, to, category, share, programId, … */
  parameters: string[];
  /** False while a page has no CSV twin yet. */
  csv?: boolean;
}

export const REPORT_CATALOG: CatalogEntry[] = [
  {
    name: 'grants',
    title: 'Grants register',
    path: '/reports/grants',
    description:
      'Every grant the records held at the end of the date, as recorded then: award number, title, recipient and its type and state, principal investigator, status, period of performance, federal obligations (amendments effective by then and recorded by the end of it), federal spending and what remains, cost share committed and met (ledger as of then).',
    parameters: [],
  },
  {
    name: 'amendments',
    title: 'Amendments',
    path: '/reports/amendments',
    description:
      'Every amendment effective on or before the date and recorded by the end of it, by award number (as recorded then) and amendment number: kind, federal change (its sum is the obligated amount), new end date, note. An amendment typed later, whatever its effective date, is not in it.',
    parameters: [],
  },
  {
    name: 'budget-lines',
    title: 'Budget lines',
    path: '/reports/budget-lines',
    description:
      'Each grant’s budget by budget period and SF-424A category, federal and cost share, as recorded at the end of the date: a budget edited later does not change it.',
    parameters: [],
  },
  {
    name: 'ledger',
    title: 'Expenditure ledger',
    path: '/reports/ledger',
    description:
      'Every ledger entry incurred and recorded on or before the date, reversals included, in entry order: grant (its award number as recorded at the end of the date), budget period, category, date incurred, amount, share, reference, memo, the entry it reverses, who recorded it and when.',
    parameters: ['grantId', 'from', 'to', 'category', 'share'],
  },
  {
    name: 'burndown',
    title: 'Program burn-down',
    path: '/reports/burndown',
    description:
      'Month by month for the program: obligated to date, planned and actual spending (month and cumulative), remaining and variance, with the burn rate and projected exhaustion.',
    parameters: ['programId'],
  },
  {
    name: 'grant-burndown',
    title: 'Grant burn-down',
    path: '/grants/:id/burndown',
    description: 'The same burn-down for one grant, over its period of performance.',
    parameters: [],
  },
  {
    name: 'milestones',
    title: 'Milestones and go/no-go decisions',
    path: '/reports/milestones',
    description:
      'Every milestone the records held at the end of the date, as recorded then, by award number and due date: budget period, title, kind, due date, status as of the date (a completion dated or recorded later shows as not complete), completed on, go/no-go decision as of the date (pending when decided or recorded later), decided on, rationale, notes.',
    parameters: ['grantId', 'kind'],
  },
  {
    name: 'technologies',
    title: 'Technologies with TRL history',
    path: '/reports/technologies',
    description:
      'One row per TRL assessment made on or before the date and recorded by the end of it: technology, pathway, feedstock, target elements, target TRL, date assessed, TRL, evidence, who recorded it, and the linked awards — the technology and its links as recorded at the end of the date.',
    parameters: [],
  },
  {
    name: 'cost-share',
    title: 'Cost share',
    path: '/reports/cost-share',
    description:
      'Per grant, as recorded at the end of the date: the required percent, total project cost (obligated as of the date plus committed cost share), required, committed, met (cost-share ledger entries as of the date), remaining to contribute and shortfall against the requirement — the grant page’s own figures.',
    parameters: [],
  },
  {
    name: 'audit',
    title: 'Audit trail',
    path: '/reports/audit',
    description:
      'Every change and sign-in up to the end of the date, in the order of the hash chain, with the changes as stored and both hashes. From and to are calendar days in the program office’s time zone.',
    parameters: ['from', 'to', 'entityType', 'entityId', 'actor'],
  },
  {
    name: 'approvals',
    title: 'Approvals register',
    path: '/reports/approvals',
    description:
      'Every revision of every approval request submitted by the end of the date, by request number and revision: kind, award number (as recorded then), summary, amount, effective date, requester, when it was submitted, and its outcome as of the date — pending when it was decided later — with who decided it, when and the note. A decision made later does not change a past date’s register.',
    parameters: [],
  },
  {
    name: 'segregation-of-duties',
    title: 'Segregation of duties',
    path: '/reports/segregation-of-duties',
    description:
      'Every revision approved by the end of the date, with its requester and approver (name and e-mail), when each acted, the amount and whether the approver was the requester (the database refuses that, so none should). The page also counts and lists the amendments recorded by then that no approved request made, such as those recorded before approvals existed or written by a script.',
    parameters: [],
  },
  {
    name: 'unapproved-amendments',
    title: 'Amendments without an approved request',
    path: '/reports/unapproved-amendments',
    description:
      'Every amendment recorded by the end of the date, whatever its effective date, that no approved request made: award number (as recorded then), amendment number, kind, effective date, federal change, when it was recorded, who recorded it (from the audit trail; system for scripts) and note.',
    parameters: [],
  },
  {
    name: 'reconciliation',
    title: 'Reconciliation',
    path: '/reports/reconciliation',
    description:
      'For every grant that existed on the date and each program’s total, side by side: the ledger CSV’s federal total, the burn-down’s actual cumulative and the grants register’s federal_spent, and the register’s obligations against the burn-down’s obligated to date. Says “reconciled” or lists each difference to the cent.',
    parameters: [],
  },
  {
    name: 'sf425',
    title: 'SF-425 Federal Financial Report',
    path: '/grants/:id/sf425',
    description:
      'For one grant, each calendar-quarter reporting period from its start to the date, the last one the final report: lines 10d federal funds authorized, 10e federal expenditures, 10f unliquidated obligations (not tracked: zero), 10g, 10h unobligated balance, 10i recipient share required, 10j recipient share of expenditures, 10k remaining, with due dates (30 days after the quarter, 120 after the end date for the final).',
    parameters: [],
  },
];
