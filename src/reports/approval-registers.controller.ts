import { Controller } from '@nestjs/common';
import { ReadAccess } from '../common/http/access.decorators';
import { ApprovalRegistersService } from './approval-registers.service';
import { RegisterQueryDto } from './dto/program-registers-query.dto';
import { ReportRoute, ServedReport } from './report-routes';

/**
 * What auditors read of approvals (GAO Green Book principle 10; 2 CFR 200.303): every revision of
 * every request with its outcome as of a date, and the segregation-of-duties check — approved
 * changes with requester and approver, and amendments with no approved request behind them. Each is
 * a page, its CSV, workbook and their manifests (ReportRoute).
 */
@ReadAccess()
@Controller()
export class ApprovalRegistersController {
  constructor(private readonly registers: ApprovalRegistersService) {}

  @ReportRoute({
    path: 'reports/approvals',
    view: 'reports/program-register',
    query: RegisterQueryDto,
  })
  approvals(query: RegisterQueryDto): ServedReport {
    return this.registers.approvals(query);
  }

  @ReportRoute({
    path: 'reports/segregation-of-duties',
    view: 'reports/segregation-of-duties',
    query: RegisterQueryDto,
  })
  segregationOfDuties(query: RegisterQueryDto): ServedReport {
    return this.registers.segregationOfDuties(query);
  }

  @ReportRoute({
    path: 'reports/unapproved-amendments',
    view: 'reports/program-register',
    query: RegisterQueryDto,
  })
  unapprovedAmendments(query: RegisterQueryDto): ServedReport {
    return this.registers.unapprovedAmendments(query);
  }
}
