import { COST_CATEGORIES, SHARES } from '../budgets/budget.constants';
import { formatDate, formatTimestamp, isIsoDate } from '../common/dates';
import { formatMoney, parseMoney } from '../common/money';
import { humanize } from '../common/views';
import { REQUEST_KINDS, REQUEST_STATUSES } from '../approvals/approval-request.entity';
import { AMENDMENT_KINDS } from '../grants/amendment.entity';
import { GRANT_STATUSES } from '../grants/grant.entity';
import { RECIPIENT_TYPES } from '../grants/recipient.entity';
import { DECISIONS, MILESTONE_KINDS, MILESTONE_STATUSES } from '../milestones/milestone.entity';
import { FEEDSTOCKS, PATHWAYS } from '../technologies/technology.constants';
import type { AuditEvent, FieldChange } from './audit-event.entity';

/**
 * How the audit trail reads to people: the trail stores column names and raw values (it is what the
 * hash covers, and the CSV keeps them), and every view of it — a record's History, /audit, the audit
 * report page — shows labels, dollars, dates, code labels and links through this one module.
 */

/** A shown value: text, and a link when it names a record with a page. */
export interface Shown {
  text: string;
  href?: string;
}

export interface FieldView {
  /** The stored field name (kept for tests and the CSV's readers). */
  name: string;
  label: string;
  before: Shown;
  after: Shown;
}

/** Record types that have a page, or a page of their own grant or technology. */
type RecordType =
  | 'program'
  | 'recipient'
  | 'grant'
  | 'technology'
  | 'milestone'
  | 'expenditure'
  | 'user'
  | 'budget'
  | 'approval_request';

type Kind =
  | { kind: 'text' }
  | { kind: 'money' }
  | { kind: 'decimalMoney' }
  | { kind: 'date' }
  | { kind: 'timestamp' }
  | { kind: 'boolean' }
  | { kind: 'percent' }
  | { kind: 'code'; labels: Record<string, string> }
  | { kind: 'ref'; to: RecordType };

interface FieldSpec {
  label?: string;
  as?: Kind;
}

/** Award numbers (and the budget's grant) known for the records an event names. */
export interface RecordNames {
  grants?: ReadonlyMap<number, string>;
  /** A budget's grant: its page is the grant's budget. */
  budgetGrants?: ReadonlyMap<number, number>;
}

const codes = (values: readonly string[], labels: Record<string, string> = {}): Kind => ({
  kind: 'code',
  labels: Object.fromEntries(values.map((v) => [v, labels[v] ?? humanize(v)])),
});
const ref = (to: RecordType): Kind => ({ kind: 'ref', to });

const ROLES = ['admin', 'program_manager', 'approving_official', 'auditor', 'system', 'anonymous'];

/** Fields named alike in several record types. */
const COMMON: Record<string, FieldSpec> = {
  id: { label: 'Id' },
  grantId: { label: 'Grant', as: ref('grant') },
  programId: { label: 'Program', as: ref('program') },
  recipientId: { label: 'Recipient', as: ref('recipient') },
  technologyId: { label: 'Technology', as: ref('technology') },
  reversalOf: { label: 'Reverses', as: ref('expenditure') },
  piName: { label: 'PI name' },
  piEmail: { label: 'PI email' },
  uei: { label: 'UEI' },
  trl: { label: 'TRL' },
  currentTrl: { label: 'Current TRL' },
  targetTrl: { label: 'Target TRL' },
  costSharePercent: { label: 'Cost share required', as: { kind: 'percent' } },
  category: { as: codes(COST_CATEGORIES) },
  share: { as: codes(SHARES) },
  pathway: { as: codes(PATHWAYS) },
  feedstock: { as: codes(Object.keys(FEEDSTOCKS), FEEDSTOCKS) },
  decision: { as: codes(DECISIONS) },
  role: { as: codes(ROLES) },
  sha256: { label: 'SHA-256' },
  ip: { label: 'IP address' },
  refused: { label: 'Attempts refused' },
};

/** Fields whose meaning depends on the record type. */
const BY_TYPE: Record<string, Record<string, FieldSpec>> = {
  grant: { status: { as: codes(GRANT_STATUSES) } },
  amendment: { kind: { as: codes(AMENDMENT_KINDS) }, number: { label: 'Amendment number' } },
  milestone: { kind: { as: codes(MILESTONE_KINDS) }, status: { as: codes(MILESTONE_STATUSES) } },
  recipient: { type: { as: codes(RECIPIENT_TYPES) } },
  budget_period: { number: { label: 'Budget period' } },
  ledger_import: { rows: { label: 'Rows' } },
  approval_request: {
    kind: { as: codes(REQUEST_KINDS, { go_no_go: 'Go/no-go decision' }) },
    status: { as: codes(REQUEST_STATUSES) },
    requestedBy: { as: ref('user') },
    decidedBy: { as: ref('user') },
    payload: { label: 'Form as typed' },
  },
  approval_revision: {
    requestId: { label: 'Request', as: ref('approval_request') },
    outcome: { as: codes(REQUEST_STATUSES) },
    submittedBy: { as: ref('user') },
    decidedBy: { as: ref('user') },
    payload: { label: 'Form as typed' },
  },
};

/** `costShareCommittedCents` → `Cost share committed`. */
function labelOf(name: string): string {
  const words = name
    .replace(/Cents$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The explicit spec, else one read from the name: `…Cents` is money, `…On`/`…Date` a date. */
function specOf(entityType: string, name: string): { label: string; as: Kind } {
  const spec = BY_TYPE[entityType]?.[name] ?? COMMON[name] ?? {};
  const as: Kind =
    spec.as ??
    (/Cents$/.test(name)
      ? { kind: 'money' }
      : /(On|Date)$/.test(name)
        ? { kind: 'date' }
        : /At$/.test(name)
          ? { kind: 'timestamp' }
          : { kind: 'text' });
  return { label: spec.label ?? labelOf(name), as };
}

// `BP1 fringe_benefits cost_share`: a budget cell (budget-grid.ts auditKey), stored in dollars.
const BUDGET_CELL = /^BP(\d+) ([a-z_]+) (federal|cost_share)$/;

const NONE: Shown = { text: '—' };

/** A record's page, or null when it has none (or it is not known from the event). */
export function recordHref(type: string, id: number, names: RecordNames = {}): string | null {
  switch (type) {
    case 'program':
      return `/programs/${id}`;
    case 'recipient':
      return `/recipients/${id}`;
    case 'grant':
      return `/grants/${id}`;
    case 'technology':
      return `/technologies/${id}`;
    case 'milestone':
      return `/milestones/${id}`;
    case 'expenditure':
      return `/ledger/${id}`;
    case 'user':
      return `/admin/users/${id}`;
    case 'approval_request':
      return `/approvals/${id}`;
    case 'budget': {
      const grantId = names.budgetGrants?.get(id);
      return grantId === undefined ? null : `/grants/${grantId}/budget`;
    }
    default:
      return null;
  }
}

/** `Expenditure #1484`, or a grant by its award number. */
export function recordText(type: string, id: number, names: RecordNames = {}): string {
  const award = type === 'grant' ? names.grants?.get(id) : undefined;
  return award ? `Grant ${award}` : `${humanize(type)} #${id}`;
}

function showValue(value: unknown, as: Kind, names: RecordNames): Shown {
  if (value === null || value === undefined || value === '') return NONE;
  switch (as.kind) {
    case 'money':
      if (typeof value === 'number' && Number.isSafeInteger(value))
        return { text: formatMoney(value) };
      break;
    case 'decimalMoney':
      if (typeof value === 'string') {
        const parsed = parseMoney(value);
        if (parsed.ok) return { text: formatMoney(parsed.cents) };
      }
      break;
    case 'date':
      if (isIsoDate(value)) return { text: formatDate(value) };
      break;
    case 'timestamp':
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value))
        return { text: formatTimestamp(value) };
      break;
    case 'boolean':
      break;
    case 'percent':
      if (typeof value === 'number') return { text: `${value}%` };
      break;
    case 'code':
      if (typeof value === 'string' && as.labels[value]) return { text: as.labels[value] };
      break;
    case 'ref':
      if (typeof value === 'number' && Number.isSafeInteger(value)) {
        const href = recordHref(as.to, value, names);
        return { text: recordText(as.to, value, names), ...(href ? { href } : {}) };
      }
      break;
    case 'text':
      break;
  }
  if (typeof value === 'boolean') return { text: value ? 'Yes' : 'No' };
  return { text: typeof value === 'string' ? value : JSON.stringify(value) };
}

/** One stored change as a labelled line: `Cost share committed: $120,000.00 → $150,000.00`. */
export function showChange(
  entityType: string,
  name: string,
  change: FieldChange,
  names: RecordNames = {},
): FieldView {
  const cell = entityType === 'budget' ? BUDGET_CELL.exec(name) : null;
  const { label, as } = cell
    ? {
        label: `Budget period ${cell[1]}, ${humanize(cell[2])}, ${humanize(cell[3]).toLowerCase()}`,
        as: { kind: 'decimalMoney' } as Kind,
      }
    : specOf(entityType, name);
  return {
    name,
    label,
    before: showValue(change.before, as, names),
    after: showValue(change.after, as, names),
  };
}

export interface EventView extends AuditEvent {
  /** occurredAt as `2026-03-31 14:05:09 UTC`. */
  when: string;
  fields: FieldView[];
  /** The record the event is about: `Expenditure #1484`, linked when it has a page. */
  record: Shown | null;
}

/** The page an event's record is seen on: its own, or its grant's / technology's. */
function eventRecord(
  event: AuditEvent,
  changes: Record<string, FieldChange>,
  names: RecordNames,
): Shown | null {
  if (event.entityId === null) return null;
  const text = recordText(event.entityType, event.entityId, names);
  let href = recordHref(event.entityType, event.entityId, names);
  const parentId = (field: string): number | null => {
    const value = changes[field]?.after ?? changes[field]?.before;
    return typeof value === 'number' ? value : null;
  };
  if (!href && event.entityType === 'budget' && parentId('grantId') !== null)
    href = `/grants/${parentId('grantId')}/budget`;
  if (!href && ['budget_period', 'amendment'].includes(event.entityType) && parentId('grantId'))
    href = `/grants/${parentId('grantId')}`;
  if (!href && event.entityType === 'trl_assessment' && parentId('technologyId'))
    href = `/technologies/${parentId('technologyId')}`;
  return href ? { text, href } : { text };
}

/** Events with their stored changes unpacked for a table of label: before → after. */
export function describeEvents(events: AuditEvent[], names: RecordNames = {}): EventView[] {
  return events.map((event) => {
    const changes = JSON.parse(event.changes) as Record<string, FieldChange>;
    const fields = Object.entries(changes).map(([name, change]) =>
      showChange(event.entityType, name, change, names),
    );
    return {
      ...event,
      when: formatTimestamp(event.occurredAt),
      fields,
      record: eventRecord(event, changes, names),
    };
  });
}

/** The grant ids an event names (its record or a grantId field), to look their award numbers up. */
export function namedGrantIds(events: AuditEvent[]): number[] {
  const ids = new Set<number>();
  for (const event of events) {
    if (event.entityType === 'grant' && event.entityId !== null) ids.add(event.entityId);
    const changes = JSON.parse(event.changes) as Record<string, FieldChange>;
    for (const side of [changes.grantId?.before, changes.grantId?.after])
      if (typeof side === 'number') ids.add(side);
  }
  return [...ids];
}
