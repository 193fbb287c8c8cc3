import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { EntityManager } from 'typeorm';
import type { RequestKindName } from '../approvals/approval-request.entity';
import { RequestKinds } from '../approvals/request-kinds';
import { asOfOrToday } from '../common/as-of-query.dto';
import { Clock } from '../common/clock';
import { AppConfig } from '../common/config';
import { formatDate } from '../common/dates';
import {
  APPROVAL_KEY_SHAPE,
  approvalsRegister,
  approvedChangeCounts,
  approvedChangesRegister,
} from './approvals-register';
import { RegisterQueryDto } from './dto/program-registers-query.dto';
import { decodeCursor, htmlPage, HTML_PAGE_SIZE, Register } from './keyset';
import { downloadLinks, pageCells, registerLinker, registerPage } from './register-page';
import { REPORT_CATALOG } from './report-catalog';
import { ServedReport } from './report-routes';
import {
  UNAPPROVED_AMENDMENT_KEY_SHAPE,
  unapprovedAmendmentCount,
  unapprovedAmendmentsRegister,
} from './unapproved-amendments-register';

/** A catalog entry's title and description: the page says what the /reports index says. */
function entry(name: string): { title: string; description: string } {
  const found = REPORT_CATALOG.find((e) => e.name === name);
  if (!found) throw new Error(`${name} is not in REPORT_CATALOG`);
  return found;
}

/** "3 approved changes; 0 break the rule". */
const headline = (approved: number, breaking: number) =>
  `${approved} approved ${approved === 1 ? 'change' : 'changes'}; ${breaking} ${breaking === 1 ? 'breaks' : 'break'} the rule`;

/** `/reports/x`, `.csv`, … with the date (and a page cursor) in the query. */
const linker = (path: string, asOf: string) => registerLinker(path, { asOf });

/**
 * The approvals register, the segregation-of-duties report and its list of amendments without an
 * approved request, each as of a date. As with the program registers, a page, its CSV, workbook
 * and manifests all come from one Register, so they cannot disagree.
 */
@Injectable()
export class ApprovalRegistersService {
  constructor(
    @InjectEntityManager() private readonly manager: EntityManager,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly kinds: RequestKinds,
  ) {}

  approvals(query: RegisterQueryDto): ServedReport {
    const asOf = asOfOrToday(query.asOf, this.clock.today());
    const report = approvalsRegister(this.manager, this.params(asOf)) as Register<unknown>;
    return this.served(asOf, report, () =>
      this.registerPage('approvals', asOf, report, APPROVAL_KEY_SHAPE, query),
    );
  }

  unapprovedAmendments(query: RegisterQueryDto): ServedReport {
    const asOf = asOfOrToday(query.asOf, this.clock.today());
    const report = unapprovedAmendmentsRegister(
      this.manager,
      this.params(asOf),
    ) as Register<unknown>;
    return this.served(asOf, report, () =>
      this.registerPage(
        'unapproved-amendments',
        asOf,
        report,
        UNAPPROVED_AMENDMENT_KEY_SHAPE,
        query,
      ),
    );
  }

  segregationOfDuties(query: RegisterQueryDto): ServedReport {
    const asOf = asOfOrToday(query.asOf, this.clock.today());
    const report = approvedChangesRegister(this.manager, this.params(asOf));
    return this.served(asOf, report as Register<unknown>, async () => {
      const params = this.params(asOf);
      const after = query.after ? decodeCursor(query.after, APPROVAL_KEY_SHAPE) : null;
      const unapproved = unapprovedAmendmentsRegister(this.manager, params);
      const [counts, unapprovedCount, page, firstUnapproved] = await Promise.all([
        approvedChangeCounts(this.manager, params),
        unapprovedAmendmentCount(this.manager, params),
        htmlPage(report, after),
        htmlPage(unapproved, null),
      ]);
      const path = '/reports/segregation-of-duties';
      const link = linker(path, asOf);
      const { title } = entry('segregation-of-duties');
      return {
        pageTitle: `${title} as of ${formatDate(asOf)}`,
        title,
        path,
        asOf,
        timeZone: this.config.APP_TIME_ZONE,
        headline: headline(counts.approved, counts.breaking),
        approvedCount: counts.approved,
        breakingCount: counts.breaking,
        noneBreak: counts.breaking === 0,
        rows: page.rows.map((row) => ({ ...row, kindLabel: this.kinds.label(row.kind) })),
        isFirstPage: !after,
        firstHref: link(''),
        nextHref: page.next ? link('', { after: page.next }) : null,
        ...downloadLinks(link),
        unapproved: {
          count: unapprovedCount,
          rows: firstUnapproved.rows,
          more: firstUnapproved.next !== null,
          shown: HTML_PAGE_SIZE,
          ...downloadLinks(linker('/reports/unapproved-amendments', asOf)),
          href: linker('/reports/unapproved-amendments', asOf)(''),
        },
      };
    });
  }

  private params(asOf: string) {
    return { asOf, timeZone: this.config.APP_TIME_ZONE };
  }

  private served(
    asOf: string,
    report: Register<unknown>,
    page: () => Promise<object>,
  ): ServedReport {
    return { asOf, parameters: {}, csv: report, page };
  }

  /** The register's page (register-page.ts), the request kind read as its label. */
  private registerPage(
    name: 'approvals' | 'unapproved-amendments',
    asOf: string,
    report: Register<unknown>,
    keyShape: ('string' | 'number')[],
    query: RegisterQueryDto,
  ) {
    const readKind = name === 'approvals';
    return registerPage(
      {
        report,
        path: `/reports/${name}`,
        ...entry(name),
        asOf,
        timeZone: this.config.APP_TIME_ZONE,
        parameters: {},
        keyShape,
        after: query.after,
      },
      (rows) =>
        pageCells(report, rows, (column, value) =>
          readKind && column === 'kind' ? this.kinds.label(value as RequestKindName) : undefined,
        ),
    );
  }
}
