import { Body, Controller, Get, Param, Post, Render, Res } from '@nestjs/common';
import { ManagerAccess, ReadAccess } from '../common/http/access.decorators';
import type { Response } from 'express';
import { AuditService } from '../audit/audit.service';
import { expectedVersion, submitForm } from '../common/forms';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { ProgramFormDto } from './dto/program-form.dto';
import { ProgramsService } from './programs.service';

@ReadAccess()
@Controller('programs')
export class ProgramsController {
  constructor(
    private readonly programs: ProgramsService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Render('programs/index')
  async index() {
    return { pageTitle: 'Programs', summaries: await this.programs.summaries() };
  }

  @Get('new')
  @ManagerAccess()
  @Render('programs/new')
  newForm() {
    return { pageTitle: 'New program', values: { costSharePercent: 20 } };
  }

  @Post()
  @ManagerAccess()
  create(@Body() body: unknown, @Res() res: Response) {
    return submitForm(res, {
      dto: ProgramFormDto,
      body,
      view: 'programs/new',
      model: () => ({ pageTitle: 'New program' }),
      save: (form) => this.programs.create(form),
      redirectTo: (program) => `/programs/${program.id}`,
      flash: (program) => `Program “${program.name}” created.`,
    });
  }

  @Get(':id')
  @Render('programs/show')
  async show(@Param('id', ParseIdPipe) id: number) {
    const summary = await this.programs.summary(id);
    return {
      pageTitle: summary.program.name,
      ...summary,
      history: await this.audit.describedHistory('program', id),
    };
  }

  @Get(':id/edit')
  @ManagerAccess()
  @Render('programs/edit')
  async editForm(@Param('id', ParseIdPipe) id: number) {
    const program = await this.programs.findOne(id);
    return {
      pageTitle: `Edit ${program.name}`,
      program,
      values: this.programs.toFormValues(program),
    };
  }

  @Post(':id')
  @ManagerAccess()
  async update(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Res() res: Response) {
    const program = await this.programs.findOne(id);
    return submitForm(res, {
      dto: ProgramFormDto,
      body,
      view: 'programs/edit',
      model: () => ({ pageTitle: `Edit ${program.name}`, program }),
      save: (form) => this.programs.update(id, expectedVersion(body), form),
      current: async () => this.programs.toFormValues(await this.programs.findOne(id)),
      redirectTo: () => `/programs/${id}`,
      flash: (saved) => `Program “${saved.name}” saved.`,
    });
  }
}
