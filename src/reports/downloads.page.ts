import { COST_CATEGORIES, SHARES } from '../budgets/budget.constants';
import { CsvColumn, CsvManifest, CsvReport } from '../common/csv';
import { dateTimeFormat, formatDate } from '../common/dates';
import { formatMoney, toCents } from '../common/money';
import { humanize } from '../common/views';
import { MILESTONE_KINDS } from '../milestones/milestone.entity';
import { CatalogEntry, REPORT_CATALOG } from './report-catalog';

/** Rows a register's HTML view shows: its first ones. */
const REGISTER_HTML_LIMIT = 1_000;

/** `?a=1&b=2` of the given values, leaving out blanks ('' when nothing is left). */
export function queryString(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The links every report page and the index show: HTML, CSV, CSV with BOM, manifest, Excel. */
export function reportLinks(path: string, values: Record<string, string | number | undefined>) {
  const { bom: _bom, after: _after, ...rest } = values;
  void _bom;
  void _after;
  return {
    html: `${path}${queryString(rest)}`,
    csv: `${path}.csv${queryString(rest)}`,
    csvBom: `${path}.csv${queryString({ ...rest, bom: '1' })}`,
    manifest: `${path}.manifest.json${queryString(rest)}`,
    xlsx: `${path}.xlsx${queryString(rest)}`,
    xlsxManifest: `${path}.xlsx.manifest.json${queryString(rest)}`,
  };
}

export interface TableView {
  headers: { name: string; money: boolean }[];
  rows: { cells: { text: string; cents?: number; money: boolean }[] }[];
  /** Money column → its sum over the shown rows, in cents, in column order. */
  totals: { name: string; cents: number }[];
}

/**
 * The HTML table of a report: the CSV's columns and rows, shown as they are stored (money through
 * the money helper, text escaped by Handlebars, so nothing needs neutralising on a page).
 */
export function tableView<Row>(columns: CsvColumn<Row>[], rows: Row[]): TableView {
  const money = columns.filter((c) => c.kind === 'money');
  return {
    headers: columns.map((c) => ({ name: c.name, money: c.kind === 'money' })),
    rows: rows.map((row) => ({
      cells: columns.map((c) => {
        const value = c.value(row);
        return c.kind === 'money'
          ? { text: '', cents: Number(value ?? 0), money: true }
          : { text: value === null ? '' : String(value), money: false };
      }),
    })),
    totals: money.map((c) => ({
      name: c.name,
      cents: rows.reduce((sum, row) => sum + Number(c.value(row) ?? 0), 0),
    })),
  };
}

/** Reads up to `limit` rows of a report (plus whether there were more). */
export async function firstRows<Row>(
  report: CsvReport<Row>,
  limit: number,
): Promise<{ rows: Row[]; more: boolean }> {
  const rows: Row[] = [];
  for await (const page of report.pages()) {
    for (const row of page) {
      if (rows.length === limit) return { rows, more: true };
      rows.push(row);
    }
  }
  return { rows, more: false };
}

export interface ParameterField {
  name: string;
  label: string;
  type: 'date' | 'number' | 'select' | 'text';
  options?: { value: string; label: string }[];
}

/** What the index page's selects offer (DownloadsService.indexChoices). */
export interface ReportChoices {
  grants: { id: number; awardNumber: string }[];
  programs: { id: number; name: string }[];
  entityTypes: string[];
  actors: string[];
}

const select = (name: string, label: string, options: { value: string; label: string }[]) => ({
  name,
  label,
  type: 'select' as const,
  options,
});

/** How the index page asks for each parameter a catalog entry names: a choice wherever there is one. */
export function parameterField(name: string, choices: ReportChoices): ParameterField {
  switch (name) {
    case 'grantId':
      return select(
        name,
        'Grant',
        choices.grants.map((g) => ({ value: String(g.id), label: g.awardNumber })),
      );
    case 'from':
      return { name, label: 'From (date)', type: 'date' };
    case 'to':
      return { name, label: 'To (date)', type: 'date' };
    case 'category':
      return select(
        name,
        'Category',
        COST_CATEGORIES.map((c) => ({ value: c, label: humanize(c) })),
      );
    case 'share':
      return select(
        name,
        'Share',
        SHARES.map((s) => ({ value: s, label: humanize(s) })),
      );
    case 'programId':
      return select(
        name,
        'Program',
        choices.programs.map((p) => ({ value: String(p.id), label: p.name })),
      );
    case 'kind':
      return select(
        name,
        'Kind',
        MILESTONE_KINDS.map((k) => ({ value: k, label: humanize(k) })),
      );
    case 'entityType':
      return select(
        name,
        'Record type',
        choices.entityTypes.map((t) => ({ value: t, label: humanize(t) })),
      );
    case 'entityId':
      return { name, label: 'Record id (number)', type: 'number' };
    case 'actor':
      return select(
        name,
        'User',
        choices.actors.map((email) => ({ value: email, label: email })),
      );
    default:
      return { name, label: humanize(name), type: 'text' };
  }
}

/**
 * The index's ledger manifest as a person reads it: the count with separators, the control total
 * as money, the date spelled out.
 */
export function manifestFacts(manifest: CsvManifest) {
  const amount = manifest.control_totals.amount;
  return {
    asOf: formatDate(manifest.as_of),
    rows: manifest.row_count.toLocaleString('en-US'),
    controlTotal: amount === undefined ? '' : formatMoney(toCents(amount)),
    sha256: manifest.sha256,
    bytes: manifest.bytes.toLocaleString('en-US'),
  };
}

/** `Apr 1, 2026, 9:05 AM EDT (America/New_York)`: a moment as the office reads it, zone named. */
export function officeTimestamp(at: Date, timeZone: string): string {
  const text = dateTimeFormat('en-US', {
    timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(at);
  const zone = dateTimeFormat('en-US', { timeZone, timeZoneName: 'short' })
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')?.value;
  return `${text} ${zone ?? ''} (${timeZone})`.replace('  ', ' ');
}

/** One catalog entry on the index page, with its form fields and today's links. */
export function catalogCard(entry: CatalogEntry, asOf: string, choices: ReportChoices) {
  const grants = choices.grants;
  const perGrant = entry.path.includes(':id');
  const csv = entry.csv !== false;
  return {
    ...entry,
    csv,
    perGrant,
    fields: entry.parameters.map((name) => parameterField(name, choices)),
    links: perGrant ? null : reportLinks(entry.path, { asOf }),
    grantLinks: perGrant
      ? grants.map((g) => ({
          awardNumber: g.awardNumber,
          ...reportLinks(entry.path.replace(':id', String(g.id)), { asOf }),
        }))
      : [],
  };
}

/** What views/reports/download.hbs shows of every download: its catalog entry, date and links. */
export function downloadPage(name: string, asOf: string, values: Record<string, string>) {
  const entry = REPORT_CATALOG.find((e) => e.name === name);
  const title = entry?.title ?? name;
  return {
    pageTitle: title,
    title,
    name,
    path: `/reports/${name}`,
    description: entry?.description ?? '',
    asOf,
    asOfLabel: formatDate(asOf),
    links: reportLinks(`/reports/${name}`, values),
  };
}

/** A register's download page: its first rows as a table (and whether it stopped short). */
export async function registerPage(report: CsvReport<unknown>, asOf: string) {
  const { rows, more } = await firstRows(report, REGISTER_HTML_LIMIT);
  return {
    ...downloadPage(report.name, asOf, { asOf }),
    table: tableView(report.columns, rows),
    truncated: more ? REGISTER_HTML_LIMIT : null,
  };
}
