import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ClassConstructor } from 'class-transformer';
import { randomBytes } from 'node:crypto';
import { CreateUserDto } from '../accounts/dto/create-user.dto';
import { UsersService } from '../accounts/users.service';
import { AuditService } from '../audit/audit.service';
import { BudgetsService } from '../budgets/budgets.service';
import { AppConfig } from '../common/config';
import { WritePath } from '../common/database/write-path';
import { addDays, addMonths, todayIn } from '../common/dates';
import { validateForm } from '../common/forms';
import { centsToDecimal } from '../common/money';
import { AmendmentKind } from '../grants/amendment.entity';
import { AmendmentsService } from '../grants/amendments.service';
import { BudgetPeriodsService, scheduleVersion } from '../grants/budget-periods.service';
import { AmendmentFormDto } from '../grants/dto/amendment-form.dto';
import { GrantFormDto } from '../grants/dto/grant-form.dto';
import { RecipientFormDto } from '../grants/dto/recipient-form.dto';
import { Grant } from '../grants/grant.entity';
import { GrantsService } from '../grants/grants.service';
import { RecipientsService } from '../grants/recipients.service';
import { Expenditure } from '../ledger/expenditure.entity';
import { LedgerService } from '../ledger/ledger.service';
import { currentActor } from '../common/request-context';
import { DecisionFormDto } from '../milestones/dto/decision-form.dto';
import { MilestoneFormDto } from '../milestones/dto/milestone-form.dto';
import { MilestonesService } from '../milestones/milestones.service';
import { ProgramFormDto } from '../programs/dto/program-form.dto';
import { Program } from '../programs/program.entity';
import { ProgramsService } from '../programs/programs.service';
import { AssessmentFormDto } from '../technologies/dto/assessment-form.dto';
import { NewTechnologyFormDto } from '../technologies/dto/technology-form.dto';
import { GrantTechnologiesService } from '../technologies/grant-technologies.service';
import { TechnologiesService } from '../technologies/technologies.service';
import { TrlAssessmentsService } from '../technologies/trl-assessments.service';
import {
  AWARD_MONTHS_AGO,
  DEMO_USERS,
  DemoGrant,
  GRANTS,
  PROGRAM,
  PROGRAM_LEAD_MONTHS,
  PROGRAM_TAIL_MONTHS,
  REALLOCATION,
  Schedule,
  scheduleFor,
  trancheCents,
  trancheNote,
} from './demo-data';
import { assessmentsFor, DemoMilestone, DemoTechnology, TECHNOLOGIES } from './demo-portfolio';
import {
  budgetFor,
  DemoBudgetLine,
  DemoExpenditure,
  DemoPeriod,
  DUPLICATE_INVOICE,
  expendituresFor,
} from './demo-ledger';

/**
 * The services trust their DTOs to have passed the controller's validation; running the demo rows
 * through the same checks means the demo can never hold a value a user could not have typed.
 */
async function form<T extends object>(dto: ClassConstructor<T>, values: object): Promise<T> {
  const { value, errors } = await validateForm(dto, values);
  if (Object.keys(errors).length > 0) {
    throw new Error(`Invalid demo ${dto.name}: ${JSON.stringify(errors)}`);
  }
  return value;
}

const dollarText = (dollars: number) => centsToDecimal(dollars * 100);

/** The budget lines as the grid form posts them: lines[bp][category][federal|costShare]. */
function gridOf(lines: DemoBudgetLine[]): Record<number, Record<string, Record<string, string>>> {
  const grid: Record<number, Record<string, Record<string, string>>> = {};
  for (const [bp, category, federal, costShare] of lines) {
    grid[bp] ??= {};
    grid[bp][category] = { federal: centsToDecimal(federal), costShare: centsToDecimal(costShare) };
  }
  return grid;
}

/**
 * Demo entries are stamped as entered about a week after they were incurred, so that a report for a
 * past date shows what the office knew then; the audit trail still records when the demo was loaded.
 */
function recordedOn(day: string) {
  return { recordedBy: currentActor().email, recordedAt: `${day}T16:00:00.000Z`, recordedOn: day };
}

/**
 * Loads the demo program (demo-data.ts, demo-portfolio.ts, demo-ledger.ts) through the features' own
 * forms and services, so it holds only what a user could have entered.
 */
@Injectable()
export class DemoSeedService {
  private readonly logger = new Logger(DemoSeedService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly writes: WritePath,
    private readonly programs: ProgramsService,
    private readonly recipients: RecipientsService,
    private readonly grants: GrantsService,
    private readonly budgetPeriods: BudgetPeriodsService,
    private readonly amendments: AmendmentsService,
    private readonly technologies: TechnologiesService,
    private readonly links: GrantTechnologiesService,
    private readonly assessments: TrlAssessmentsService,
    private readonly milestones: MilestonesService,
    private readonly budgets: BudgetsService,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
    private readonly users: UsersService,
  ) {}

  /**
   * Loads the demo program when the database has no program at all; true if it did. One transaction:
   * the service calls join it, so a failure half-way leaves the database empty, not half-seeded, and
   * the emptiness check cannot race another instance seeding the same file.
   */
  async seedIfEmpty(): Promise<boolean> {
    const seeded = await this.writes.transaction(async (manager) => {
      if ((await manager.count(Program)) > 0) return false;
      await this.seed(todayIn(this.config.APP_TIME_ZONE));
      await this.seedUsers();
      return true;
    });
    if (seeded) this.logger.log(`Loaded the illustrative demo program: ${GRANTS.length} grants.`);
    return seeded;
  }

  /** One demo account per role; the password is DEMO_PASSWORD, or a random one shown once. */
  private async seedUsers(): Promise<void> {
    const password = this.config.DEMO_PASSWORD ?? randomBytes(12).toString('base64url');
    for (const [role, name] of DEMO_USERS) {
      await this.users.create(
        Object.assign(new CreateUserDto(), {
          email: `${role.split('_').pop()}@demo.local`,
          name,
          role,
          password,
        }),
      );
    }
    if (!this.config.DEMO_PASSWORD) {
      // Printed once, straight to the console: it is never stored in clear or logged again.
      console.log(
        `\nDemo accounts admin@demo.local, manager@demo.local and auditor@demo.local have the password: ${password}\n` +
          'It is shown only now. Set DEMO_PASSWORD before the first start to choose it.\n',
      );
    }
  }

  private async seed(today: string): Promise<void> {
    const awardDate = addMonths(today, -AWARD_MONTHS_AGO);
    const program = await this.createProgram(awardDate);
    const amounts = trancheCents(GRANTS);
    const grantIds = new Map<string, number>();

    const starts = new Map<string, string>();
    const schedules: { grantId: number; index: number; demo: DemoGrant; schedule: Schedule }[] = [];
    for (const [index, demo] of GRANTS.entries()) {
      const schedule = scheduleFor(awardDate, demo, index);
      const grant = await this.createGrant(program.id, demo, schedule);
      await this.budgetPeriods.replace(
        grant.id,
        [
          { startDate: schedule.startDate, endDate: addDays(schedule.bp2StartDate, -1) },
          { startDate: schedule.bp2StartDate, endDate: schedule.endDate },
        ],
        scheduleVersion([]),
      );
      const [award, year2, bp2] = schedule.trancheDates.map((date, tranche) => () => {
        const kind: AmendmentKind = tranche === 0 ? 'initial' : 'incremental_funding';
        return this.amend(
          grant.id,
          date,
          kind,
          amounts[index][tranche],
          trancheNote(tranche, date),
        );
      });
      await award();
      await year2();
      await this.createMilestones(grant.id, schedule.milestones);
      await bp2();
      grantIds.set(demo.awardNumber, grant.id);
      starts.set(demo.awardNumber, schedule.startDate);
      schedules.push({ grantId: grant.id, index, demo, schedule });
    }

    await this.reallocate(awardDate, grantIds);
    for (const [awardNumber, technologies] of Object.entries(TECHNOLOGIES)) {
      for (const technology of technologies) {
        const developers = [awardNumber, ...(technology.alsoDevelopedBy ?? [])];
        await this.createTechnology(
          technology,
          starts.get(awardNumber) ?? awardDate,
          developers.map((number) => grantIds.get(number) ?? 0),
        );
      }
    }
    for (const { grantId, index, demo, schedule } of schedules) {
      await this.spend(grantId, index, demo, schedule, today);
    }
  }

  /**
   * The grant's budget grid, then its spending month by month through the ledger's own rules. The
   * budget matches what is obligated, except where money was handed back: that budget has not been
   * revised yet, so its grant page shows the difference (rule 4).
   */
  private async spend(
    grantId: number,
    index: number,
    demo: DemoGrant,
    schedule: Schedule,
    today: string,
  ): Promise<void> {
    const periods: DemoPeriod[] = [
      { number: 1, startDate: schedule.startDate, endDate: addDays(schedule.bp2StartDate, -1) },
      { number: 2, startDate: schedule.bp2StartDate, endDate: schedule.endDate },
    ];
    const supplement = demo.awardNumber === REALLOCATION.to ? REALLOCATION.dollars : 0;
    const lines = budgetFor(
      demo.recipient.type,
      periods,
      (demo.awardDollars + supplement) * 100,
      demo.costShareDollars * 100,
    );
    await this.budgets.save(grantId, 0, gridOf(lines));

    const goDecidedOn =
      schedule.milestones.find((m) => m.decision)?.decision?.decidedOn ?? schedule.bp2StartDate;
    const entries = expendituresFor(index, demo.awardNumber, periods, lines, goDecidedOn, today);
    await this.writes.transaction(async (manager) => {
      const batch = this.ledger.batch(manager);
      let supplies = 0;
      for (const entry of entries) {
        const recorded = await this.record(manager, batch, grantId, entry);
        if (index !== DUPLICATE_INVOICE.index || entry.category !== 'supplies') continue;
        if (entry.share !== 'federal' || ++supplies !== DUPLICATE_INVOICE.month) continue;
        // The same invoice keyed in twice; the finance office reverses the duplicate two weeks later.
        const duplicate = await this.record(manager, batch, grantId, entry);
        await this.audit.insert(manager, Expenditure, 'expenditure', {
          ...this.fieldsOf(recorded),
          amountCents: -duplicate.amountCents,
          memo: `Duplicate of entry #${recorded.id}: invoice ${entry.reference} was entered twice.`,
          reversalOf: duplicate.id,
          ...recordedOn(
            addDays(entry.recordedOn, 14) < today ? addDays(entry.recordedOn, 14) : today,
          ),
        });
      }
    });
  }

  /** One ledger entry, checked by the ledger's rules, recorded on the day it was entered. */
  private async record(
    manager: EntityManager,
    batch: ReturnType<LedgerService['batch']>,
    grantId: number,
    entry: DemoExpenditure,
  ): Promise<Expenditure> {
    const { recordedOn: day, ...fields } = entry;
    const input = { grantId, ...fields };
    const errors = await this.ledger.checkEntry(batch, input);
    if (Object.keys(errors).length > 0) {
      throw new Error(`Invalid demo expenditure ${entry.reference}: ${JSON.stringify(errors)}`);
    }
    return this.audit.insert(manager, Expenditure, 'expenditure', {
      ...input,
      reversalOf: null,
      ...recordedOn(day),
    });
  }

  private fieldsOf(entry: Expenditure) {
    const { grantId, budgetPeriod, category, incurredOn, share, reference } = entry;
    return { grantId, budgetPeriod, category, incurredOn, share, reference };
  }

  /** Milestones as they were recorded; the go/no-go review gets its decision as its own action. */
  private async createMilestones(grantId: number, milestones: DemoMilestone[]): Promise<void> {
    for (const { decision, ...milestone } of milestones) {
      const created = await this.milestones.create(
        grantId,
        await form(MilestoneFormDto, {
          ...milestone,
          budgetPeriod: String(milestone.budgetPeriod),
        }),
      );
      if (decision) {
        await this.milestones.decide(
          created.id,
          created.version,
          await form(DecisionFormDto, decision),
        );
      }
    }
  }

  /** A technology with its baseline assessment at the award, the levels gained since, and its grants. */
  private async createTechnology(
    technology: DemoTechnology,
    startDate: string,
    grantIds: number[],
  ): Promise<void> {
    const [baseline, ...progress] = assessmentsFor(technology, startDate);
    const created = await this.technologies.create(
      await form(NewTechnologyFormDto, {
        name: technology.name,
        pathway: technology.pathway,
        feedstock: technology.feedstock,
        elements: technology.elements,
        targetTrl: String(technology.trl[2]),
        description: technology.description,
        currentTrl: String(baseline.trl),
        assessedOn: baseline.assessedOn,
        evidence: baseline.evidence,
      }),
    );
    for (const step of progress) {
      await this.assessments.record(
        created.id,
        await form(AssessmentFormDto, { ...step, trl: String(step.trl) }),
      );
    }
    await this.links.setGrantsOf(created.id, grantIds.map(String));
  }

  private async reallocate(awardDate: string, grantIds: Map<string, number>): Promise<void> {
    const { from, to, dollars, monthsAfterAward, fromNote, toNote } = REALLOCATION;
    const idOf = (awardNumber: string) => {
      const id = grantIds.get(awardNumber);
      if (id === undefined)
        throw new Error(`REALLOCATION names ${awardNumber}, which is not a demo grant.`);
      return id;
    };
    const date = addMonths(awardDate, monthsAfterAward);
    await this.amend(idOf(from), date, 'deobligation', -dollars * 100, fromNote);
    await this.amend(idOf(to), date, 'incremental_funding', dollars * 100, toNote);
  }

  private async createProgram(awardDate: string): Promise<Program> {
    const { ceilingDollars, ...facts } = PROGRAM;
    const program = await this.programs.create(
      await form(ProgramFormDto, {
        ...facts,
        ceiling: dollarText(ceilingDollars),
        startDate: addMonths(awardDate, -PROGRAM_LEAD_MONTHS),
        endDate: addMonths(awardDate, PROGRAM_TAIL_MONTHS),
      }),
    );
    // The form always records a real program; only the demo is flagged, so the UI can say it is invented.
    await this.writes.transaction((manager) =>
      this.audit.update(manager, Program, 'program', program.id, { illustrative: true }),
    );
    return program;
  }

  private async createGrant(
    programId: number,
    demo: DemoGrant,
    schedule: Schedule,
  ): Promise<Grant> {
    const recipient = await this.recipients.create(await form(RecipientFormDto, demo.recipient));
    return this.grants.create(
      await form(GrantFormDto, {
        programId,
        recipientId: recipient.id,
        awardNumber: demo.awardNumber,
        title: demo.title,
        piName: demo.piName,
        piEmail: demo.piEmail,
        status: 'active',
        startDate: schedule.startDate,
        endDate: schedule.endDate,
        costShareCommitted: dollarText(demo.costShareDollars),
      }),
    );
  }

  private async amend(
    grantId: number,
    effectiveDate: string,
    kind: AmendmentKind,
    cents: number,
    note: string,
  ): Promise<void> {
    await this.amendments.add(
      grantId,
      await form(AmendmentFormDto, {
        effectiveDate,
        kind,
        federalChange: centsToDecimal(cents),
        newEndDate: null,
        note,
      }),
    );
  }
}
