import { spanTooLong } from '../common/award-period';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ReadCache } from '../common/database/read-cache';
import { lockRows, WritePath } from '../common/database/write-path';
import { FormError } from '../common/forms';
import { centsToDecimal, formatMoney, toCents } from '../common/money';
import { ProgramFormDto } from './dto/program-form.dto';
import { Program } from './program.entity';

export interface ProgramSummary {
  program: Program;
  obligatedCents: number;
  unobligatedCents: number;
  grantCount: number;
}

@Injectable()
export class ProgramsService {
  constructor(
    @InjectRepository(Program) private readonly programs: Repository<Program>,
    private readonly writes: WritePath,
    private readonly audit: AuditService,
    private readonly cache: ReadCache,
  ) {}

  /** For pickers on many pages: cached until a write to programs ends. Frozen. */
  list(): Promise<readonly Readonly<Program>[]> {
    return this.cache.get(['programs'], 'list', () =>
      this.programs.find({ order: { startDate: 'ASC', id: 'ASC' } }),
    );
  }

  async findOne(id: number): Promise<Program> {
    const program = await this.programs.findOneBy({ id });
    if (!program) throw new NotFoundException(`Program ${id} does not exist.`);
    return program;
  }

  /** The program shown in the header: the first one (the app usually runs one program). */
  first(): Promise<Readonly<Program> | null> {
    return this.cache.get(['programs'], 'first', () =>
      this.programs.findOne({ where: {}, order: { id: 'ASC' } }),
    );
  }

  summaries(): Promise<ProgramSummary[]> {
    return this.summariesWhere();
  }

  async summary(id: number): Promise<ProgramSummary> {
    const [found] = await this.summariesWhere(id);
    if (!found) throw new NotFoundException(`Program ${id} does not exist.`);
    return found;
  }

  /** Programs with their obligated totals and grant counts, in one query. */
  private async summariesWhere(id?: number): Promise<ProgramSummary[]> {
    const query = this.programs
      .createQueryBuilder('p')
      .addSelect(
        '(SELECT COALESCE(SUM(a.federal_change_cents), 0) FROM amendments a JOIN grants g ON g.id = a.grant_id WHERE g.program_id = p.id)',
        'obligated',
      )
      .addSelect('(SELECT COUNT(*) FROM grants g WHERE g.program_id = p.id)', 'grant_count')
      .orderBy('p.start_date', 'ASC')
      .addOrderBy('p.id', 'ASC');
    if (id !== undefined) query.where('p.id = :id', { id });
    const { entities, raw } = await query.getRawAndEntities<{
      obligated: number | string;
      grant_count: number | string;
    }>();
    return entities.map((program, i) => {
      const obligatedCents = Number(raw[i].obligated);
      return {
        program,
        obligatedCents,
        unobligatedCents: program.ceilingCents - obligatedCents,
        grantCount: Number(raw[i].grant_count),
      };
    });
  }

  create(form: ProgramFormDto): Promise<Program> {
    this.checkDates(form);
    return this.writes.transaction((manager) => {
      return this.audit.insert(manager, Program, 'program', {
        ...this.fields(form),
        illustrative: false,
      });
    });
  }

  update(id: number, version: number, form: ProgramFormDto): Promise<Program> {
    this.checkDates(form);
    return this.writes.transaction(async (manager) => {
      await lockRows(manager, 'programs', [id]); // amendments under it wait for the new ceiling
      await this.findOne(id);
      const ceilingCents = toCents(form.ceiling);
      const obligated = await this.obligatedCents(id);
      if (ceilingCents < obligated) {
        throw new FormError({
          ceiling: `The ceiling cannot be below the ${formatMoney(obligated)} already obligated under this program.`,
        });
      }
      await this.audit.update(manager, Program, 'program', id, this.fields(form), {
        expectedVersion: version,
      });
      return this.findOne(id);
    });
  }

  /** Sum of every amendment of every grant in the program, in cents. */
  async obligatedCents(programId: number): Promise<number> {
    const row = await this.programs.manager
      .createQueryBuilder()
      .select('COALESCE(SUM(a.federal_change_cents), 0)', 'total')
      .from('amendments', 'a')
      .innerJoin('grants', 'g', 'g.id = a.grant_id')
      .where('g.program_id = :programId', { programId })
      .getRawOne<{ total: string | number }>();
    return Number(row?.total ?? 0);
  }

  toFormValues(program: Program): Record<string, string | number> {
    return {
      name: program.name,
      fundingOpportunity: program.fundingOpportunity,
      office: program.office,
      ceiling: centsToDecimal(program.ceilingCents),
      startDate: program.startDate,
      endDate: program.endDate,
      costSharePercent: program.costSharePercent,
      version: program.version,
    };
  }

  private fields(form: ProgramFormDto) {
    return {
      name: form.name,
      fundingOpportunity: form.fundingOpportunity,
      office: form.office,
      ceilingCents: toCents(form.ceiling),
      startDate: form.startDate,
      endDate: form.endDate,
      costSharePercent: form.costSharePercent,
    };
  }

  private checkDates(form: ProgramFormDto): void {
    if (form.endDate <= form.startDate) {
      throw new FormError({ endDate: 'The end date must be after the start date.' });
    }
    const tooLong = spanTooLong('program', form.startDate, form.endDate);
    if (tooLong) throw new FormError({ endDate: tooLong });
  }
}
