import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Application } from 'express';
import type { HelperOptions } from 'handlebars';
import hbs from 'hbs';
import { formatDate, formatTimestamp } from './dates';
import type { FilterRefusal } from './http/filter-query';
import { formatMoney } from './money';

/** The repository root, whether running from src/ (tests) or dist/src/ (npm start). */
export const PROJECT_ROOT = [join(__dirname, '..', '..'), join(__dirname, '..', '..', '..')].find(
  (dir) => existsSync(join(dir, 'package.json')),
) as string;
export const VIEWS_DIR = join(PROJECT_ROOT, 'views');

const labels: Record<string, string> = {
  national_laboratory: 'National laboratory',
  state_local_tribal: 'State, local or tribal',
  incremental_funding: 'Incremental funding',
  no_cost_extension: 'No-cost extension',
  go_no_go: 'Go/no-go',
  no_go: 'No-go',
  e_waste: 'E-waste',
  end_of_life_magnets: 'End-of-life magnets',
};

/** `incremental_funding` → `Incremental funding`. */
export function humanize(value: unknown): string {
  if (typeof value !== 'string') return '';
  return labels[value] ?? value.charAt(0).toUpperCase() + value.slice(1).replace(/_/g, ' ');
}

/** Registers helpers and every partial (synchronously, so the first request already has them). */
export function registerViews(): void {
  hbs.registerHelper('money', (cents: unknown) =>
    typeof cents === 'number' && Number.isSafeInteger(cents) ? formatMoney(cents) : '',
  );
  hbs.registerHelper('date', (value: unknown) =>
    typeof value === 'string' ? formatDate(value) : '',
  );
  hbs.registerHelper('timestamp', (value: unknown) =>
    typeof value === 'string' ? formatTimestamp(value) : '',
  );
  hbs.registerHelper('humanize', humanize);
  // The last argument of every helper call is Handlebars' options object, not a value.
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  hbs.registerHelper('add', (a: unknown, b: unknown) => Number(a) + Number(b));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => String(a) === String(b));
  registerFilterHelpers();
  hbs.registerHelper('tableScroll', tableScroll);
  const partials = join(VIEWS_DIR, 'partials');
  for (const file of walk(partials)) {
    const name = relative(partials, file).replace(/\.hbs$/, '');
    hbs.registerPartial(name, readFileSync(file, 'utf8'));
  }
}

/**
 * Compiles `views` (with the layout) before the first request, where compiled views are kept:
 * Handlebars compiles a view on its first render, 50–100 ms for the dashboard, which is the first
 * page of everyone who signs in after a restart. Rendered once without data, the output unused.
 */
export function compileViews(app: NestExpressApplication, views: string[]): Promise<void> {
  const express = app.getHttpAdapter().getInstance() as Application;
  return Promise.all(
    views.map(
      (view) =>
        new Promise<void>((resolve, reject) =>
          express.render(view, {}, (error) => (error ? reject(error) : resolve())),
        ),
    ),
  ).then(() => undefined);
}

type FilterOptions = { data?: { root?: Partial<FilterRefusal> } };
const refusalOf = (options: FilterOptions) => options.data?.root ?? {};

/**
 * What a GET filter form shows of a refused filter (FilterQuery puts it in the view's root):
 * `filterError 'from'` its message, `typed 'from' query.from` the value as typed when refused (else
 * the page's own), `invalid 'from' 'from'` the input's aria attributes (name, then element id).
 */
function registerFilterHelpers(): void {
  hbs.registerHelper('filterError', (name: unknown, options: FilterOptions) =>
    typeof name === 'string' ? (refusalOf(options).filterErrors?.[name] ?? '') : '',
  );
  hbs.registerHelper('typed', (name: unknown, fallback: unknown, options: FilterOptions) => {
    const refusal = refusalOf(options);
    if (typeof name === 'string' && refusal.filterErrors?.[name] !== undefined) {
      return refusal.filterValues?.[name] ?? '';
    }
    return fallback;
  });
  // `filterErrorsOf "sort dir page"`: refusals of parameters the form has no field for (links set them).
  hbs.registerHelper('filterErrorsOf', (names: unknown, options: FilterOptions) => {
    const errors = refusalOf(options).filterErrors ?? {};
    return String(names)
      .split(' ')
      .flatMap((name) => (errors[name] === undefined ? [] : [errors[name]]));
  });
  // `invalid name` or `invalid name id`: the options object comes last either way.
  hbs.registerHelper('invalid', (name: unknown, ...rest: unknown[]) => {
    const options = rest[rest.length - 1] as FilterOptions;
    const id = rest.length > 1 ? rest[0] : name;
    if (typeof name !== 'string' || refusalOf(options).filterErrors?.[name] === undefined)
      return '';
    const errorId = hbs.handlebars.escapeExpression(`${String(id)}-error`);
    return new hbs.handlebars.SafeString(` aria-invalid="true" aria-describedby="${errorId}"`);
  });
}

/**
 * `{{#tableScroll "Ledger entries"}}<table>…{{/tableScroll}}`: a wide table scrolls inside its own
 * focusable, named region (keyboard users scroll it with the arrow keys) instead of pushing the page
 * sideways. A helper rather than a partial block: a partial's hash would shift `../` paths inside.
 */
export function tableScroll(
  this: unknown,
  label: unknown,
  options: HelperOptions,
): Handlebars.SafeString {
  const { SafeString, Utils } = hbs.handlebars;
  const name = Utils.escapeExpression(typeof label === 'string' ? label : '');
  return new SafeString(
    `<div class="app-table-scroll" tabindex="0" role="region" aria-label="${name}">` +
      `${options.fn(this)}</div>`,
  );
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.hbs') ? [path] : [];
  });
}
