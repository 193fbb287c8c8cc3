import { formatDate } from '../common/dates';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { WritePath } from '../common/database/write-path';
import { FormError } from '../common/forms';
import { currentActor } from '../common/request-context';
import { AssessmentFormDto } from './dto/assessment-form.dto';
import { trlDefinition } from './technology.constants';
import { Technology } from './technology.entity';
import { TrlAssessment } from './trl-assessment.entity';

export interface AssessmentInput {
  assessedOn: string;
  trl: number;
  evidence: string;
}

export interface AssessmentRow extends TrlAssessment {
  definition: string;
  /** TRL minus the previous assessment's (by date), null for the first. */
  change: number | null;
}

/**
 * TRL assessments are appended, never edited or deleted (this service has no way to): the history is
 * the record, and a technology's current TRL is always that of its latest assessment by date.
 */
@Injectable()
export class TrlAssessmentsService {
  constructor(
    @InjectRepository(TrlAssessment) private readonly assessments: Repository<TrlAssessment>,
    private readonly writes: WritePath,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  record(technologyId: number, form: AssessmentFormDto): Promise<TrlAssessment> {
    return this.writes.transaction(async (manager) => {
      if (!(await manager.existsBy(Technology, { id: technologyId }))) {
        throw new NotFoundException(`Technology ${technologyId} does not exist.`);
      }
      const future = this.futureDateError(form.assessedOn);
      if (future) throw new FormError({ assessedOn: future });
      return this.append(manager, technologyId, {
        assessedOn: form.assessedOn,
        trl: Number(form.trl),
        evidence: form.evidence,
      });
    });
  }

  /** An assessment is dated when it was made: never in the future. */
  futureDateError(assessedOn: string): string | undefined {
    const today = this.clock.today();
    return assessedOn > today
      ? `An assessment cannot be dated in the future; today is ${formatDate(today)}.`
      : undefined;
  }

  /**
   * Inside the caller's transaction: appends the assessment (with its audit event), then moves the
   * technology's current TRL to the latest assessment by (date, id) — so a back-dated assessment is
   * kept in the history but does not override a newer one.
   */
  async append(
    manager: EntityManager,
    technologyId: number,
    input: AssessmentInput,
  ): Promise<TrlAssessment> {
    const assessment = await this.audit.insert(manager, TrlAssessment, 'trl_assessment', {
      technologyId,
      assessedOn: input.assessedOn,
      trl: input.trl,
      evidence: input.evidence,
      recordedBy: currentActor().email,
    });
    const latest = await manager.findOneOrFail(TrlAssessment, {
      where: { technologyId },
      order: { assessedOn: 'DESC', id: 'DESC' },
    });
    const technology = await manager.findOneByOrFail(Technology, { id: technologyId });
    if (technology.currentTrl !== latest.trl) {
      await this.audit.update(
        manager,
        Technology,
        'technology',
        technologyId,
        { currentTrl: latest.trl },
        { action: 'assess' },
      );
    }
    return assessment;
  }

  /** Every assessment, oldest first, with its definition and its change from the one before. */
  async historyOf(technologyId: number): Promise<AssessmentRow[]> {
    const rows = await this.assessments.find({
      where: { technologyId },
      order: { assessedOn: 'ASC', id: 'ASC' },
    });
    return rows.map((row, i) => ({
      ...row,
      definition: trlDefinition(row.trl),
      change: i === 0 ? null : row.trl - rows[i - 1].trl,
    }));
  }
}
