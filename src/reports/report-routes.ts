import {
  applyDecorators,
  BadRequestException,
  Get,
  Header,
  Inject,
  Param,
  Query,
  Render,
  Res,
  Type,
} from '@nestjs/common';
import { PARAMTYPES_METADATA } from '@nestjs/common/constants';
import type { Response } from 'express';
import { futureAsOfMessage } from '../common/as-of-query.dto';
import { Clock } from '../common/clock';
import { CsvLines, csvManifest, CsvManifest, CsvReport, sendCsv } from '../common/csv';
import { FilterQuery, filtersRefused } from '../common/http/filter-query';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { sendXlsx, xlsxManifest, XlsxManifest } from '../common/xlsx';

/** What a report's CSV download and its manifest are made from. */
export interface ReportDownload {
  asOf: string;
  csv: CsvReport<unknown> & CsvLines;
  /** The report's own parameters as asked for (asOf and bom apart), in the manifest's order. */
  parameters: Record<string, string>;
  /**
   * What the downloads' file names add after the date: a filtered download says its filters, so it
   * is not saved over the whole report's file. Only the name: the bytes and manifests are the same.
   */
  fileTags?: string[];
}

/** A report as asked for: its page, its CSV and its manifest all come from this, so they agree. */
export interface ServedReport extends ReportDownload {
  /** The view model of the HTML page; built only when the page is asked for. */
  page: () => object | Promise<object>;
}

/**
 * The manifest of a download's exact bytes (`bom` as the download sends them). Every manifest lists
 * every parameter the bytes depend on, the same way: the report's own, then asOf (the date the
 * default "today" stood for) and bom (`0` or `1`).
 */
export function reportManifest(report: ReportDownload, bom: boolean): Promise<CsvManifest> {
  const parameters = { ...report.parameters, asOf: report.asOf, bom: bom ? '1' : '0' };
  return csvManifest(report.csv, { asOf: report.asOf, bom, parameters });
}

/**
 * The parameters of a workbook, in its Manifest sheet and its manifest: the report's own, then asOf
 * (a workbook has no byte-order mark, so no bom).
 */
export function xlsxParameters(report: ReportDownload): Record<string, string> {
  return { ...report.parameters, asOf: report.asOf };
}

/** The manifest of an .xlsx download's exact bytes. */
export function reportXlsxManifest(report: ReportDownload): Promise<XlsxManifest> {
  return xlsxManifest(report.csv, { asOf: report.asOf, parameters: xlsxParameters(report) });
}

/**
 * What a report page's view gets besides its own model when `asOf` is after today: the date as
 * typed (the form keeps it) and the message to show beside the asOf field. The page is then built
 * for today only to fill its form; the view shows no rows or downloads for it.
 */
export interface AsOfRefusal {
  asOfRefused: { value: string; message: string };
}

/** A refused page's title: screen readers hear first that something needs fixing. */
const errorTitle = (page: object) =>
  `Error: ${(page as { pageTitle?: string }).pageTitle ?? 'report'}`;

/** The controller property that ReportRoute injects the Clock into. */
const CLOCK = 'reportRouteClock';

function todayOf(self: object): string {
  return (self as Record<typeof CLOCK, Clock>)[CLOCK].today();
}

export interface ReportRouteOptions<Q, P> {
  /**
   * The page's whole path, e.g. `reports/reconciliation` or `grants/:id/sf425` (put the controller at
   * `@Controller()`): `:id` is a grant id, validated as every route id is and passed to the method.
   */
  path: string;
  /** The page's view, e.g. `reports/reconciliation`. */
  view: string;
  /** The query of the CSV and the manifest (with `bom`), and of the page unless `pageQuery` says. */
  query: Type<Q>;
  /** The page's query when it takes no `bom` (the burn-down pages never have). */
  pageQuery?: Type<P>;
}

type ReportMethod<P> = (query: P, grantId: number) => ServedReport | Promise<ServedReport>;

/**
 * The one way to serve a report (DESIGN.md §5, §7). On a controller method that builds the report
 * for a validated query (and the grant id of a `:id` path), it declares five routes: the HTML page
 * at `path` (rendered with `view`), its CSV twin at `path.csv` (an attachment; `bom=1` starts it with
 * a byte-order mark), the CSV's manifest at `path.manifest.json` (never cached), the Excel twin at
 * `path.xlsx` (src/common/xlsx.ts) and its manifest at `path.xlsx.manifest.json`. The controller's
 * access rule covers all five. The method itself is no route.
 *
 * An `asOf` after today (futureAsOfMessage) is refused here for every report alike, with a 400: the
 * page is rendered again with the date kept and the message (AsOfRefusal), the downloads and
 * manifests are the plain 400 page with the message. Any other refused parameter of the page is the
 * same (FilterQuery: the page without it, the value as typed and the message beside its field).
 */
export function ReportRoute<Q extends P & { bom?: '0' | '1' }, P extends { asOf?: string } = Q>(
  options: ReportRouteOptions<Q, P>,
) {
  return <M extends ReportMethod<P>>(
    prototype: object,
    key: string,
    method: TypedPropertyDescriptor<M>,
  ) => {
    const build = method.value as M;
    const served = (self: object, query: P, grantId: number) =>
      Promise.resolve(build.call(self, query, grantId));
    const grantId: ParameterDecorator = options.path.includes('/:id/')
      ? Param('id', ParseIdPipe)
      : () => undefined;
    const { path, view } = options;
    if (!Reflect.getMetadata(CLOCK, prototype)) {
      Inject(Clock)(prototype, CLOCK);
      Reflect.defineMetadata(CLOCK, true, prototype);
    }
    /** The refusal of a future asOf for a CSV or manifest: the plain 400 page. */
    const refuseFuture = (self: object, query: P) => {
      const refused = futureAsOfMessage(query.asOf, todayOf(self));
      if (refused) throw new BadRequestException(refused);
    };

    route(
      prototype,
      `${key}Page`,
      [Get(path), Render(view)],
      [grantId, FilterQuery(options.pageQuery ?? options.query), Res({ passthrough: true })],
      options.pageQuery ?? options.query,
      async function (this: object, id: number, query: P, res: Response) {
        const today = todayOf(this);
        const refused = futureAsOfMessage(query.asOf, today);
        if (!refused) {
          const page = await (await served(this, query, id)).page();
          return filtersRefused(res) ? { ...page, pageTitle: errorTitle(page) } : page;
        }
        res.status(400);
        const page = await (await served(this, { ...query, asOf: today }, id)).page();
        const refusal: AsOfRefusal = { asOfRefused: { value: query.asOf!, message: refused } };
        return { ...page, ...refusal, pageTitle: errorTitle(page) };
      },
    );
    route(
      prototype,
      `${key}Csv`,
      [Get(`${path}.csv`)],
      [grantId, Query(), Res()],
      options.query,
      async function (this: object, id: number, query: Q, res: Response) {
        refuseFuture(this, query);
        const report = await served(this, query, id);
        await sendCsv(res, report.csv, {
          asOf: report.asOf,
          bom: query.bom === '1',
          fileTags: report.fileTags,
        });
      },
    );
    route(
      prototype,
      `${key}Manifest`,
      [Get(`${path}.manifest.json`), Header('Cache-Control', 'no-store')],
      [grantId, Query()],
      options.query,
      async function (this: object, id: number, query: Q) {
        refuseFuture(this, query);
        const report = await served(this, query, id);
        return reportManifest(report, query.bom === '1');
      },
    );
    route(
      prototype,
      `${key}Xlsx`,
      [Get(`${path}.xlsx`)],
      [grantId, Query(), Res()],
      options.query,
      async function (this: object, id: number, query: Q, res: Response) {
        refuseFuture(this, query);
        const report = await served(this, query, id);
        await sendXlsx(res, report.csv, {
          asOf: report.asOf,
          parameters: xlsxParameters(report),
          fileTags: report.fileTags,
        });
      },
    );
    route(
      prototype,
      `${key}XlsxManifest`,
      [Get(`${path}.xlsx.manifest.json`), Header('Cache-Control', 'no-store')],
      [grantId, Query()],
      options.query,
      async function (this: object, id: number, query: Q) {
        refuseFuture(this, query);
        return reportXlsxManifest(await served(this, query, id));
      },
    );
  };
}

/**
 * Adds `name` to the controller as a route handler: (grant id, query, request or response). Its
 * parameters' types are recorded by hand, as TypeScript would for a written method, because the
 * global ValidationPipe validates the query by its recorded class (and turns the id into a Number).
 */
function route(
  prototype: object,
  name: string,
  decorators: MethodDecorator[],
  parameters: ParameterDecorator[],
  query: Type,
  handler: (this: object, ...args: never[]) => Promise<unknown>,
): void {
  if (name in prototype) throw new Error(`${name} is already a method of this controller`);
  const descriptor = { value: handler, writable: true, configurable: true };
  Object.defineProperty(prototype, name, descriptor);
  parameters.forEach((parameter, index) => parameter(prototype, name, index));
  Reflect.defineMetadata(PARAMTYPES_METADATA, [Number, query, Object], prototype, name);
  applyDecorators(...decorators)(prototype, name, descriptor);
}
