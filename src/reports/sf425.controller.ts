import { Controller } from '@nestjs/common';
import { AsOfBomQuery } from '../common/as-of-query.dto';
import { Clock } from '../common/clock';
import { ReadAccess } from '../common/http/access.decorators';
import { ReportRoute, ServedReport } from './report-routes';
import { sf425Page } from './sf425.page';
import { sf425Csv, Sf425Service } from './sf425.service';

/**
 * A grant's SF-425 (Federal Financial Report) view, its CSV and the CSV's manifest. Fixed last path
 * segments, so none can be taken for a grant id by the grants controller's `:id` routes.
 */
@ReadAccess()
@Controller()
export class Sf425Controller {
  constructor(
    private readonly sf425: Sf425Service,
    private readonly clock: Clock,
  ) {}

  @ReportRoute({ path: 'grants/:id/sf425', view: 'reports/sf425', query: AsOfBomQuery })
  async report(query: AsOfBomQuery, grantId: number): Promise<ServedReport> {
    const asOf = query.asOf ?? this.clock.today();
    const report = await this.sf425.report(grantId, asOf);
    return {
      asOf,
      parameters: { grantId: String(grantId) },
      csv: sf425Csv(report),
      page: () => sf425Page(report),
    };
  }
}
