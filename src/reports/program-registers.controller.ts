import { Controller } from '@nestjs/common';
import { ReadAccess } from '../common/http/access.decorators';
import {
  AuditRegisterQueryDto,
  MilestonesRegisterQueryDto,
  RegisterQueryDto,
} from './dto/program-registers-query.dto';
import { ProgramRegistersService } from './program-registers.service';
import { ReportRoute, ServedReport } from './report-routes';

const VIEW = 'reports/program-register';

/**
 * The registers an auditor downloads: milestones, technologies with TRL history, cost share and the
 * audit trail. Each is an HTML page (keyset-paged), its CSV twin and the CSV's manifest.
 */
@ReadAccess()
@Controller()
export class ProgramRegistersController {
  constructor(private readonly registers: ProgramRegistersService) {}

  @ReportRoute({ path: 'reports/milestones', view: VIEW, query: MilestonesRegisterQueryDto })
  milestones(query: MilestonesRegisterQueryDto): ServedReport {
    return this.registers.served(this.registers.milestones(query), query.after);
  }

  @ReportRoute({ path: 'reports/technologies', view: VIEW, query: RegisterQueryDto })
  technologies(query: RegisterQueryDto): ServedReport {
    return this.registers.served(this.registers.technologies(query), query.after);
  }

  @ReportRoute({ path: 'reports/cost-share', view: VIEW, query: RegisterQueryDto })
  costShare(query: RegisterQueryDto): ServedReport {
    return this.registers.served(this.registers.costShare(query), query.after);
  }

  @ReportRoute({ path: 'reports/audit', view: VIEW, query: AuditRegisterQueryDto })
  audit(query: AuditRegisterQueryDto): ServedReport {
    return this.registers.served(this.registers.audit(query), query.after);
  }
}
