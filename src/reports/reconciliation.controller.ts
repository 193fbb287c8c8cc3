import { Controller, Get, Header, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ReadAccess } from '../common/http/access.decorators';
import type { User } from '../accounts/user.entity';
import { AsOfBomQuery } from '../common/as-of-query.dto';
import { Clock } from '../common/clock';
import { csvManifest, sendCsv } from '../common/csv';
import { reconciliationPage } from './reconciliation.page';
import { reconciliationCsv, ReconciliationService } from './reconciliation.service';

/** The reconciliation page (issue 6), its CSV and the CSV's manifest. */
@ReadAccess()
@Controller('reports')
export class ReconciliationController {
  constructor(
    private readonly reconciliation: ReconciliationService,
    private readonly clock: Clock,
  ) {}

  @Get('reconciliation')
  @Render('reports/reconciliation')
  async show(@Query() query: AsOfBomQuery) {
    return reconciliationPage(await this.reconciliation.report(query.asOf ?? this.clock.today()));
  }

  @Get('reconciliation.csv')
  async csv(@Query() query: AsOfBomQuery, @Res() res: Response): Promise<void> {
    const asOf = query.asOf ?? this.clock.today();
    const report = await this.reconciliation.report(asOf);
    await sendCsv(res, reconciliationCsv(report), { asOf, bom: query.bom === '1' });
  }

  @Get('reconciliation.manifest.json')
  @Header('Cache-Control', 'no-store')
  async manifest(@Query() query: AsOfBomQuery, @Req() req: Request & { user?: User }) {
    const asOf = query.asOf ?? this.clock.today();
    const bom = query.bom === '1';
    return csvManifest(reconciliationCsv(await this.reconciliation.report(asOf)), {
      asOf,
      bom,
      parameters: { asOf, bom: bom ? '1' : '0' },
      generatedBy: req.user?.email ?? 'unknown',
    });
  }
}
