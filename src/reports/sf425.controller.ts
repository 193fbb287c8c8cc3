import { Controller, Get, Header, Param, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ReadAccess } from '../common/http/access.decorators';
import type { User } from '../accounts/user.entity';
import { AsOfBomQuery } from '../common/as-of-query.dto';
import { Clock } from '../common/clock';
import { csvManifest, sendCsv } from '../common/csv';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { sf425Page } from './sf425.page';
import { sf425Csv, Sf425Service } from './sf425.service';

/**
 * A grant's SF-425 (Federal Financial Report) view, its CSV and the CSV's manifest. Fixed last path
 * segments, so none can be taken for a grant id by the grants controller's `:id` routes.
 */
@ReadAccess()
@Controller('grants/:id')
export class Sf425Controller {
  constructor(
    private readonly sf425: Sf425Service,
    private readonly clock: Clock,
  ) {}

  @Get('sf425')
  @Render('reports/sf425')
  async show(@Param('id', ParseIdPipe) id: number, @Query() query: AsOfBomQuery) {
    return sf425Page(await this.sf425.report(id, query.asOf ?? this.clock.today()));
  }

  @Get('sf425.csv')
  async csv(
    @Param('id', ParseIdPipe) id: number,
    @Query() query: AsOfBomQuery,
    @Res() res: Response,
  ): Promise<void> {
    const asOf = query.asOf ?? this.clock.today();
    const report = await this.sf425.report(id, asOf);
    await sendCsv(res, sf425Csv(report), { asOf, bom: query.bom === '1' });
  }

  @Get('sf425.manifest.json')
  @Header('Cache-Control', 'no-store')
  async manifest(
    @Param('id', ParseIdPipe) id: number,
    @Query() query: AsOfBomQuery,
    @Req() req: Request & { user?: User },
  ) {
    const asOf = query.asOf ?? this.clock.today();
    const report = await this.sf425.report(id, asOf);
    const bom = query.bom === '1';
    return csvManifest(sf425Csv(report), {
      asOf,
      bom,
      parameters: { grantId: String(id), asOf, bom: bom ? '1' : '0' },
      generatedBy: req.user?.email ?? 'unknown',
    });
  }
}
