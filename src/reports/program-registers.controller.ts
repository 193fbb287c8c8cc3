import { Controller, Get, Header, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ReadAccess } from '../common/http/access.decorators';
import type { User } from '../accounts/user.entity';
import { csvManifest, sendCsv } from '../common/csv';
import {
  AuditRegisterQueryDto,
  MilestonesRegisterQueryDto,
  RegisterQueryDto,
} from './dto/program-registers-query.dto';
import { BuiltRegister, ProgramRegistersService } from './program-registers.service';

type SignedIn = Request & { user?: User };

const bomOf = (query: RegisterQueryDto) => query.bom === '1';

function download(res: Response, built: BuiltRegister, query: RegisterQueryDto): Promise<void> {
  return sendCsv(res, built.report, { asOf: built.asOf, bom: bomOf(query) });
}

function manifest(built: BuiltRegister, query: RegisterQueryDto, req: SignedIn) {
  const bom = bomOf(query);
  return csvManifest(built.report, {
    asOf: built.asOf,
    bom,
    parameters: { ...built.parameters, asOf: built.asOf, bom: bom ? '1' : '0' },
    generatedBy: req.user?.email ?? 'unknown',
  });
}

/**
 * The registers an auditor downloads: milestones, technologies with TRL history, cost share and the
 * audit trail. Each is an HTML page (keyset-paged), its CSV twin and the CSV's manifest.
 */
@ReadAccess()
@Controller('reports')
export class ProgramRegistersController {
  constructor(private readonly registers: ProgramRegistersService) {}

  @Get('milestones')
  @Render('reports/program-register')
  milestones(@Query() query: MilestonesRegisterQueryDto) {
    return this.registers.page(this.registers.milestones(query), query.after);
  }

  @Get('milestones.csv')
  milestonesCsv(@Query() query: MilestonesRegisterQueryDto, @Res() res: Response) {
    return download(res, this.registers.milestones(query), query);
  }

  @Get('milestones.manifest.json')
  @Header('Cache-Control', 'no-store')
  milestonesManifest(@Query() query: MilestonesRegisterQueryDto, @Req() req: SignedIn) {
    return manifest(this.registers.milestones(query), query, req);
  }

  @Get('technologies')
  @Render('reports/program-register')
  technologies(@Query() query: RegisterQueryDto) {
    return this.registers.page(this.registers.technologies(query), query.after);
  }

  @Get('technologies.csv')
  technologiesCsv(@Query() query: RegisterQueryDto, @Res() res: Response) {
    return download(res, this.registers.technologies(query), query);
  }

  @Get('technologies.manifest.json')
  @Header('Cache-Control', 'no-store')
  technologiesManifest(@Query() query: RegisterQueryDto, @Req() req: SignedIn) {
    return manifest(this.registers.technologies(query), query, req);
  }

  @Get('cost-share')
  @Render('reports/program-register')
  costShare(@Query() query: RegisterQueryDto) {
    return this.registers.page(this.registers.costShare(query), query.after);
  }

  @Get('cost-share.csv')
  costShareCsv(@Query() query: RegisterQueryDto, @Res() res: Response) {
    return download(res, this.registers.costShare(query), query);
  }

  @Get('cost-share.manifest.json')
  @Header('Cache-Control', 'no-store')
  costShareManifest(@Query() query: RegisterQueryDto, @Req() req: SignedIn) {
    return manifest(this.registers.costShare(query), query, req);
  }

  @Get('audit')
  @Render('reports/program-register')
  audit(@Query() query: AuditRegisterQueryDto) {
    return this.registers.page(this.registers.audit(query), query.after);
  }

  @Get('audit.csv')
  auditCsv(@Query() query: AuditRegisterQueryDto, @Res() res: Response) {
    return download(res, this.registers.audit(query), query);
  }

  @Get('audit.manifest.json')
  @Header('Cache-Control', 'no-store')
  auditManifest(@Query() query: AuditRegisterQueryDto, @Req() req: SignedIn) {
    return manifest(this.registers.audit(query), query, req);
  }
}
