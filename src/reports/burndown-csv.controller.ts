import { Controller, Get, Header, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ReadAccess } from '../common/http/access.decorators';
import type { User } from '../accounts/user.entity';
import { AsOfBomQuery } from '../common/as-of-query.dto';
import { Clock } from '../common/clock';
import { csvManifest, sendCsv } from '../common/csv';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { burndownCsv } from './burndown-csv';
import { BurndownReport, BurndownService } from './burndown.service';
import { ProgramBurndownBomQueryDto } from './dto/burndown-query.dto';

type SignedIn = Request & { user?: User };

function manifestOf(
  report: BurndownReport,
  bom: boolean,
  parameters: Record<string, string>,
  req: SignedIn,
) {
  return csvManifest(burndownCsv(report), {
    asOf: report.asOf,
    bom,
    parameters: { ...parameters, asOf: report.asOf, bom: bom ? '1' : '0' },
    generatedBy: req.user?.email ?? 'unknown',
  });
}

/**
 * The burn-down pages' CSV twins and their manifests: the program's under /reports, a grant's under
 * /grants/:id (fixed last segments, so no grants `:id` route can take them).
 */
@ReadAccess()
@Controller()
export class BurndownCsvController {
  constructor(
    private readonly burndown: BurndownService,
    private readonly clock: Clock,
  ) {}

  private program(query: ProgramBurndownBomQueryDto) {
    return this.burndown.programReport(query.programId, query.asOf ?? this.clock.today());
  }

  private grant(id: number, query: AsOfBomQuery) {
    return this.burndown.grantReport(id, query.asOf ?? this.clock.today());
  }

  @Get('reports/burndown.csv')
  async programCsv(@Query() query: ProgramBurndownBomQueryDto, @Res() res: Response) {
    const report = await this.program(query);
    await sendCsv(res, burndownCsv(report), { asOf: report.asOf, bom: query.bom === '1' });
  }

  @Get('reports/burndown.manifest.json')
  @Header('Cache-Control', 'no-store')
  async programManifest(@Query() query: ProgramBurndownBomQueryDto, @Req() req: SignedIn) {
    const report = await this.program(query);
    return manifestOf(report, query.bom === '1', { programId: String(report.id) }, req);
  }

  @Get('grants/:id/burndown.csv')
  async grantCsv(
    @Param('id', ParseIdPipe) id: number,
    @Query() query: AsOfBomQuery,
    @Res() res: Response,
  ) {
    const report = await this.grant(id, query);
    await sendCsv(res, burndownCsv(report), { asOf: report.asOf, bom: query.bom === '1' });
  }

  @Get('grants/:id/burndown.manifest.json')
  @Header('Cache-Control', 'no-store')
  async grantManifest(
    @Param('id', ParseIdPipe) id: number,
    @Query() query: AsOfBomQuery,
    @Req() req: SignedIn,
  ) {
    const report = await this.grant(id, query);
    return manifestOf(report, query.bom === '1', { grantId: String(id) }, req);
  }
}
