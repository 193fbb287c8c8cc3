import { Controller } from '@nestjs/common';
import { AsOfBomQuery } from '../common/as-of-query.dto';
import { Clock } from '../common/clock';
import { ReadAccess } from '../common/http/access.decorators';
import { ReconciliationPageQuery } from './dto/reconciliation-query.dto';
import { reconciliationPage } from './reconciliation.page';
import { reconciliationCsv, ReconciliationService } from './reconciliation.service';
import { ReportRoute, ServedReport } from './report-routes';

/**
 * The reconciliation page (issue 6): its summary and program totals, the per-grant detail a page
 * at a time (issue 15); its CSV, workbook and manifests hold every row.
 */
@ReadAccess()
@Controller()
export class ReconciliationController {
  constructor(
    private readonly reconciliation: ReconciliationService,
    private readonly clock: Clock,
  ) {}

  @ReportRoute({
    path: 'reports/reconciliation',
    view: 'reports/reconciliation',
    query: AsOfBomQuery,
    pageQuery: ReconciliationPageQuery,
  })
  async report(query: ReconciliationPageQuery): Promise<ServedReport> {
    const asOf = query.asOf ?? this.clock.today();
    const report = await this.reconciliation.report(asOf);
    return {
      asOf,
      parameters: {},
      csv: reconciliationCsv(report),
      page: () => reconciliationPage(report, { show: query.show, page: query.page }),
    };
  }
}
