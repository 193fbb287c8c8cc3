import { Controller, Get, Render } from '@nestjs/common';
import { FilterQuery } from '../common/http/filter-query';
import { ReadAccess } from '../common/http/access.decorators';
import { pageLinks } from '../common/pagination';
import { AuditService } from './audit.service';
import { AuditQueryDto } from './dto/audit-query.dto';

const ENTITY_TYPES = [
  'program',
  'recipient',
  'grant',
  'budget_period',
  'amendment',
  'technology',
  'trl_assessment',
  'milestone',
  'user',
];
const ACTIONS = [
  'create',
  'update',
  'delete',
  'no_cost_extension',
  'assess',
  'set_elements',
  'grant_links',
  'technology_links',
  'decision',
  'complete',
  'role_change',
  'activate',
  'deactivate',
  'login',
  'login_failed',
  'login_throttled',
  'logout',
  'approve',
  'reject',
  'withdraw',
  'resubmit',
  'import',
  'calendar_feed_create',
  'calendar_feed_replace',
  'calendar_feed_revoke',
];

@Controller('audit')
@ReadAccess()
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Render('audit/index')
  async index(@FilterQuery() query: AuditQueryDto) {
    const page = await this.audit.list(query);
    return {
      pageTitle: 'Audit trail',
      query,
      entityTypes: ENTITY_TYPES,
      actions: ACTIONS,
      page: { ...page, items: await this.audit.describe(page.items) },
      pager: pageLinks('/audit', { ...query }, page),
    };
  }

  @Get('verify')
  @Render('audit/verify')
  async verify() {
    return { pageTitle: 'Verify the audit trail', check: await this.audit.verify() };
  }
}
