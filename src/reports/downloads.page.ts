import { COST_CATEGORIES, SHARES } from '../budgets/budget.constants';
import { CsvColumn, CsvReport } from '../common/csv';
import { formatDate } from '../common/dates';
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
  /** A grant choice that waits for a program to be chosen at the top of the index. */
  needsProgram?: boolean;
}

/**
 * What the index page's selects offer (DownloadsService.indexChoices). Grants are offered one
 * program at a time: a department's thousands of grants in every grant select made the page megabytes.
 */
export interface ReportChoices {
  programs: { id: number; name: string }[];
  /** The program whose grants the grant selects list (none chosen: they ask for one). */
  program?: { id: number; name: string };
  grants: { id: number; awardNumber: string }[];
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
      if (!choices.program) return { name, label: 'Grant', type: 'select', needsProgram: true };
      return select(
        name,
        `Grant of ${choices.program.name}`,
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
 * One catalog entry on the index page, with its form fields and today's links. A report of one
 * grant (`:id` in its path) is asked for through GET /reports/for-grant, which redirects to it.
 */
export function catalogCard(entry: CatalogEntry, asOf: string, choices: ReportChoices) {
  const perGrant = entry.path.includes(':id');
  const names = perGrant ? ['grantId', ...entry.parameters] : entry.parameters;
  return {
    ...entry,
    csv: entry.csv !== false,
    perGrant,
    fields: names.map((name) => parameterField(name, choices)),
    links: perGrant ? null : reportLinks(entry.path, { asOf }),
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
