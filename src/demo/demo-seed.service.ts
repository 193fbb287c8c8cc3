import { Injectable, Logger } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { Notification } from '../notifications/notification.entity';
import { nowIso } from '../common/database/columns';
import { ClassConstructor } from 'class-transformer';
import { randomBytes } from 'node:crypto';
import { CreateUserDto } from '../accounts/dto/create-user.dto';
import { User } from '../accounts/user.entity';
import { UsersService } from '../accounts/users.service';
import { ApprovalsService } from '../approvals/approvals.service';
import { AuditService } from '../audit/audit.service';
import { Budget } from '../budgets/budget.entity';
import { BudgetsService } from '../budgets/budgets.service';
import { AppConfig } from '../common/config';
import { recordingAt } from '../common/database/recording-time';
import { ADVISORY_LOCKS, oneAtATime, WritePath } from '../common/database/write-path';
import { addDays, addMonths, todayIn } from '../common/dates';
import { validateForm } from '../common/forms';
import { centsToDecimal } from '../common/money';
import { Actor, runAs } from '../common/request-context';
import { AmendmentKind } from '../grants/amendment.entity';
import { AmendmentRequests } from '../grants/amendment-requests';
import { BudgetPeriodsService, scheduleVersion } from '../grants/budget-periods.service';
import { AmendmentFormDto } from '../grants/dto/amendment-form.dto';
import { GrantFormDto } from '../grants/dto/grant-form.dto';
import { RecipientFormDto } from '../grants/dto/recipient-form.dto';
import { Grant } from '../grants/grant.entity';
import { GrantsService } from '../grants/grants.service';
import { RecipientsService } from '../grants/recipients.service';
import { Expenditure } from '../ledger/expenditure.entity';
import { LedgerService } from '../ledger/ledger.service';
import { DecisionFormDto } from '../milestones/dto/decision-form.dto';
import { MilestoneFormDto } from '../milestones/dto/milestone-form.dto';
import { Milestone } from '../milestones/milestone.entity';
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
  REVISED_INCREMENT,
  DEMO_PENDING,
  Schedule,
  scheduleFor,
  trancheCents,
  trancheNote,
} from './demo-data';
import {
  assessmentsFor,
  DemoAssessment,
  DemoMilestone,
  DemoTechnology,
  TECHNOLOGIES,
} from './demo-portfolio';
import { scheduleStory, STEP_ORDER, StoryStep } from './demo-story';
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

/** An entry as the ledger takes it: when it was entered is the step's recording day. */
function entryFields(entry: DemoExpenditure): Omit<DemoExpenditure, 'recordedOn'> {
  const fields: Partial<DemoExpenditure> = { ...entry };
  delete fields.recordedOn;
  return fields as Omit<DemoExpenditure, 'recordedOn'>;
}

/** Adds a step of the demo's story (demo-story.ts). */
type Step = (
  day: string,
  order: StoryStep['order'],
  what: string,
  run: () => Promise<unknown>,
) => void;

/** What became of a milestone, and the day it was recorded; none while it is still open. */
function outcomeOf(milestone: DemoMilestone): { day: string } | null {
  if (milestone.decision) return { day: milestone.decision.decidedOn };
  if (milestone.status === 'complete') return { day: milestone.completedOn! };
  if (milestone.status === 'waived') return { day: milestone.dueDate };
  if (milestone.status === 'missed') return { day: addDays(milestone.dueDate, 1) };
  return null;
}

/** The reallocation is entered ten days after its deobligation took effect. */
const reallocationEntered = (awardDate: string) =>
  addDays(addMonths(awardDate, REALLOCATION.monthsAfterAward), 10);

/**
 * Loads the demo program (demo-data.ts, demo-portfolio.ts, demo-ledger.ts) through the features' own
 * forms and services, so it holds only what a user could have entered.
 */
@Injectable()
export class DemoSeedService {
  private readonly logger = new Logger(DemoSeedService.name);
  /** Who files the story's requests, and who approves them (two people, as for every user). */
  private people: { manager: Actor; approver: Actor } | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly writes: WritePath,
    private readonly programs: ProgramsService,
    private readonly recipients: RecipientsService,
    private readonly grants: GrantsService,
    private readonly budgetPeriods: BudgetPeriodsService,
    private readonly amendments: AmendmentRequests,
    private readonly approvals: ApprovalsService,
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
      // Instances started together on one empty PostgreSQL database: one seeds, the others see it.
      await oneAtATime(manager, ADVISORY_LOCKS.demoSeed);
      if ((await manager.count(Program)) > 0) return false;
      await this.seed(manager, todayIn(this.config.APP_TIME_ZONE), new Date().toISOString());
      return true;
    });
    if (seeded) this.logger.log(`Loaded the illustrative demo program: ${GRANTS.length} grants.`);
    return seeded;
  }

  /**
   * One demo account per role, the story's first step (its program manager files every request and
   * its approving official approves them); the password is DEMO_PASSWORD, or a random one shown once.
   */
  private async seedUsers(manager: EntityManager): Promise<void> {
    const password = this.config.DEMO_PASSWORD ?? randomBytes(12).toString('base64url');
    for (const [role, name, email] of DEMO_USERS) {
      await this.users.create(
        Object.assign(new CreateUserDto(), {
          email,
          name,
          role,
          password,
        }),
      );
    }
    const actor = async (email: string): Promise<Actor> => {
      const user = await manager.findOneByOrFail(User, { email });
      return { id: user.id, email: user.email, name: user.name, role: user.role };
    };
    this.people = {
      manager: await actor('manager@demo.local'),
      approver: await actor('approver@demo.local'),
    };
    if (!this.config.DEMO_PASSWORD) {
      // Printed once, straight to the console: it is never stored in clear or logged again.
      console.log(
        `\nDemo accounts ${DEMO_USERS.map((u) => u[2]).join(', ')} have the password: ${password}\n` +
          'It is shown only now. Set DEMO_PASSWORD before the first start to choose it.\n',
      );
    }
  }

  /**
   * The demo's story, each step recorded on its own day (demo-story.ts): the program when the FOA
   * was announced; each award on its start date (recipient, grant, budget periods, initial
   * obligation, budget, milestones as planned); technologies with their links; milestones as they
   * were met or decided; funding increments when released; the reallocation, its deobligation entered
   * ten days late and back-dated; the receiving grant's budget revised; TRL assessments on their
   * dates; ledger entries about a week after they were incurred; the duplicate invoice reversed six
   * weeks later.
   */
  private async seed(manager: EntityManager, today: string, now: string): Promise<void> {
    const awardDate = addMonths(today, -AWARD_MONTHS_AGO);
    const amounts = trancheCents(GRANTS);
    const grantIds = new Map<string, number>();
    const idOf = (awardNumber: string) => {
      const id = grantIds.get(awardNumber);
      if (id === undefined) throw new Error(`${awardNumber} is not a demo grant (yet).`);
      return id;
    };
    const steps: StoryStep[] = [];
    const step: Step = (day, order, what, run) =>
      steps.push({ day, order, what, run: async () => void (await run()) });

    const programStart = addMonths(awardDate, -PROGRAM_LEAD_MONTHS);
    step(programStart, STEP_ORDER.setup, 'demo accounts', () => this.seedUsers(manager));
    let programId = 0;
    step(programStart, STEP_ORDER.setup, 'program', async () => {
      programId = (await this.createProgram(awardDate)).id;
    });
    step(programStart, STEP_ORDER.setup, 'program flagged illustrative', () =>
      this.flagIllustrative(programId),
    );

    const starts = new Map<string, string>();
    const entries: { grantId: () => number; index: number; entry: DemoExpenditure }[] = [];
    for (const [index, demo] of GRANTS.entries()) {
      const schedule = scheduleFor(awardDate, demo, index);
      const periods: DemoPeriod[] = [
        { number: 1, startDate: schedule.startDate, endDate: addDays(schedule.bp2StartDate, -1) },
        { number: 2, startDate: schedule.bp2StartDate, endDate: schedule.endDate },
      ];
      const supplement = demo.awardNumber === REALLOCATION.to ? REALLOCATION.dollars : 0;
      const budgetAt = (supplementDollars: number) =>
        budgetFor(
          demo.recipient.type,
          periods,
          (demo.awardDollars + supplementDollars) * 100,
          demo.costShareDollars * 100,
        );
      const grantId = () => idOf(demo.awardNumber);
      const [award, ...increments] = schedule.trancheDates;
      const milestones = new Map<DemoMilestone, Milestone>();

      step(award, STEP_ORDER.setup, `award ${demo.awardNumber}`, async () => {
        const grant = await this.createGrant(programId, demo, schedule);
        grantIds.set(demo.awardNumber, grant.id);
        await this.budgetPeriods.replace(grant.id, periods, scheduleVersion([]));
        await this.amend(grant.id, award, 'initial', amounts[index][0], trancheNote(0, award));
        await this.budgets.save(grant.id, 0, gridOf(budgetAt(0)));
        for (const milestone of schedule.milestones) {
          milestones.set(milestone, await this.createMilestone(grant.id, milestone));
        }
      });
      increments.forEach((date, i) => {
        const args = [date, 'incremental_funding', amounts[index][i + 1]] as const;
        const what = `increment ${i + 1} of ${demo.awardNumber}`;
        if (index === REVISED_INCREMENT.index && i === 0) {
          this.revisedIncrement(step, what, grantId, ...args, trancheNote(i + 1, date));
        } else {
          step(date, STEP_ORDER.amendment, what, () =>
            this.amend(grantId(), ...args, trancheNote(i + 1, date)),
          );
        }
      });
      for (const milestone of schedule.milestones) {
        const outcome = outcomeOf(milestone);
        if (!outcome) continue;
        step(outcome.day, STEP_ORDER.milestone, `${milestone.title}, ${demo.awardNumber}`, () =>
          this.completeMilestone(milestones.get(milestone)!, milestone),
        );
      }
      if (supplement > 0) {
        // The budget revision that follows the supplement (the deobligated grant's is still to come).
        step(
          reallocationEntered(awardDate),
          STEP_ORDER.budget,
          `revised budget ${demo.awardNumber}`,
          async () => {
            const budget = await manager.findOneByOrFail(Budget, { grantId: grantId() });
            await this.budgets.save(grantId(), budget.version, gridOf(budgetAt(supplement)));
          },
        );
      }

      const goDecidedOn =
        schedule.milestones.find((m) => m.decision)?.decision?.decidedOn ?? schedule.bp2StartDate;
      for (const entry of expendituresFor(
        index,
        demo.awardNumber,
        periods,
        budgetAt(supplement),
        goDecidedOn,
        today,
      )) {
        entries.push({ grantId, index, entry });
      }
      starts.set(demo.awardNumber, schedule.startDate);
    }

    this.reallocate(step, awardDate, idOf);
    for (const [awardNumber, technologies] of Object.entries(TECHNOLOGIES)) {
      for (const technology of technologies) {
        const developers = [awardNumber, ...(technology.alsoDevelopedBy ?? [])];
        // Recorded once every grant that develops it has been awarded.
        const day = developers
          .map((n) => starts.get(n) ?? awardDate)
          .sort()
          .at(-1)!;
        const [baseline, ...progress] = assessmentsFor(technology, starts.get(awardNumber)!);
        let technologyId = 0;
        step(day, STEP_ORDER.technology, technology.name, async () => {
          technologyId = await this.createTechnology(technology, baseline, developers.map(idOf));
        });
        for (const assessment of progress) {
          step(
            assessment.assessedOn,
            STEP_ORDER.assessment,
            `TRL ${assessment.trl}, ${technology.name}`,
            async () =>
              this.assessments.record(
                technologyId,
                await form(AssessmentFormDto, { ...assessment, trl: String(assessment.trl) }),
              ),
          );
        }
      }
    }
    this.ledgerSteps(step, entries, today);
    step(today, STEP_ORDER.correction, 'requests pending today', () =>
      this.pendingRequests(manager, programId, today),
    );

    // Each step's services join the seed's one transaction, recording at the step's own time.
    for (const timed of scheduleStory(steps, { today, now, timeZone: this.config.APP_TIME_ZONE })) {
      await recordingAt(timed.at, () => this.writes.transaction(() => timed.run()));
    }
  }

  /**
   * Ledger entries recorded day by day, every grant's entries of a day in one step checked by one
   * batch of the ledger's rules as they stood that day. One supplies invoice is keyed in twice; the
   * finance office reverses the duplicate six weeks later, at its quarterly review: a correction
   * entered late, so reports for the weeks between still count it.
   */
  private ledgerSteps(
    step: Step,
    entries: { grantId: () => number; index: number; entry: DemoExpenditure }[],
    today: string,
  ): void {
    const byDay = new Map<string, typeof entries>();
    let supplies = 0;
    for (const item of entries) {
      const day = item.entry.recordedOn;
      if (!byDay.has(day)) byDay.set(day, []);
      byDay.get(day)!.push(item);
      const { index, entry } = item;
      if (index !== DUPLICATE_INVOICE.index || entry.category !== 'supplies') continue;
      if (entry.share !== 'federal' || ++supplies !== DUPLICATE_INVOICE.month) continue;
      byDay.get(day)!.push(item);
      const reversedOn = addDays(day, 42) < today ? addDays(day, 42) : today;
      step(reversedOn, STEP_ORDER.correction, 'duplicate invoice reversed', async () => {
        const [original, duplicate] = await this.writes.transaction((m) =>
          m.find(Expenditure, {
            where: { grantId: item.grantId(), reference: entry.reference, share: 'federal' },
            order: { id: 'ASC' },
          }),
        );
        await this.ledger.reverse(
          duplicate.id,
          `Duplicate of entry #${original.id}: invoice ${entry.reference} was entered twice.`,
        );
      });
    }
    for (const [day, items] of byDay) {
      step(day, STEP_ORDER.ledger, `ledger entries of ${day}`, () =>
        this.writes.transaction(async (manager) => {
          const batch = this.ledger.batch(manager);
          for (const { grantId, entry } of items) {
            const input = { grantId: grantId(), ...entryFields(entry) };
            const errors = await this.ledger.checkEntry(batch, input);
            if (Object.keys(errors).length > 0) {
              throw new Error(
                `Invalid demo expenditure ${entry.reference} on ${day}: ${JSON.stringify(errors)}`,
              );
            }
            await this.ledger.insert(manager, input);
          }
        }),
      );
    }
  }

  /** A milestone as planned at the award; what became of it is recorded when it happened. */
  private async createMilestone(grantId: number, milestone: DemoMilestone): Promise<Milestone> {
    const fields: Partial<DemoMilestone> = { ...milestone };
    delete fields.decision;
    return this.milestones.create(
      grantId,
      await form(MilestoneFormDto, {
        ...fields,
        budgetPeriod: String(milestone.budgetPeriod),
        status: 'planned',
        completedOn: null,
      }),
    );
  }

  /** The milestone met, waived or missed, or the go/no-go review decided, on the day it happened. */
  private async completeMilestone(created: Milestone, milestone: DemoMilestone): Promise<void> {
    const { decision, ...fields } = milestone;
    if (decision) {
      await this.milestones.decide(
        created.id,
        created.version,
        await form(DecisionFormDto, decision),
      );
      return;
    }
    await this.milestones.update(
      created.id,
      created.version,
      await form(MilestoneFormDto, { ...fields, budgetPeriod: String(fields.budgetPeriod) }),
    );
  }

  /** A technology with its baseline assessment at the award and the grants that develop it. */
  private async createTechnology(
    technology: DemoTechnology,
    baseline: DemoAssessment,
    grantIds: number[],
  ): Promise<number> {
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
    await this.links.setGrantsOf(created.id, grantIds.map(String));
    return created.id;
  }

  /**
   * One grant hands money back and another receives it. The deobligation is typed ten days after the
   * day it took effect (back-dated): reports for those ten days, run then, did not show it, and still
   * do not. The supplement is effective the day both are entered.
   */
  private reallocate(step: Step, awardDate: string, idOf: (awardNumber: string) => number): void {
    const { from, to, dollars, monthsAfterAward, fromNote, toNote } = REALLOCATION;
    const effective = addMonths(awardDate, monthsAfterAward);
    const entered = reallocationEntered(awardDate);
    step(entered, STEP_ORDER.amendment, `deobligation ${from}`, () =>
      this.amend(idOf(from), effective, 'deobligation', -dollars * 100, fromNote),
    );
    step(entered, STEP_ORDER.amendment, `supplement ${to}`, () =>
      this.amend(idOf(to), entered, 'incremental_funding', dollars * 100, toNote),
    );
  }

  private async createProgram(awardDate: string): Promise<Program> {
    const { ceilingDollars, ...facts } = PROGRAM;
    return this.programs.create(
      await form(ProgramFormDto, {
        ...facts,
        ceiling: dollarText(ceilingDollars),
        startDate: addMonths(awardDate, -PROGRAM_LEAD_MONTHS),
        endDate: addMonths(awardDate, PROGRAM_TAIL_MONTHS),
      }),
    );
  }

  /** The form always records a real program; only the demo is flagged, so the UI can say it is invented. */
  private flagIllustrative(programId: number): Promise<unknown> {
    return this.writes.transaction((manager) =>
      this.audit.update(manager, Program, 'program', programId, { illustrative: true }),
    );
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

  /**
   * An amendment as every user makes one: the program manager files the request with a
   * justification, and the approving official approves it (every rule checked then).
   */
  private async amend(
    grantId: number,
    effectiveDate: string,
    kind: AmendmentKind,
    cents: number,
    note: string,
    justification = `As scheduled in the award: ${note}`,
  ): Promise<void> {
    const request = await this.requestAmendment(
      grantId,
      effectiveDate,
      kind,
      cents,
      note,
      justification,
    );
    await runAs(this.person('approver'), () =>
      this.approvals.approve(request.id, request.version, ''),
    );
  }

  private async requestAmendment(
    grantId: number,
    effectiveDate: string,
    kind: AmendmentKind,
    cents: number,
    note: string,
    justification: string,
    revises?: number,
  ) {
    const value = await form(AmendmentFormDto, {
      effectiveDate,
      kind,
      federalChange: centsToDecimal(cents),
      newEndDate: null,
      note,
    });
    return runAs(this.person('manager'), () =>
      this.amendments.submit(
        grantId,
        Object.assign(value, { justification, revises: revises ? String(revises) : undefined }),
        false,
      ),
    );
  }

  /**
   * One increment the approving official first sends back: requested three days early, rejected the
   * next day for want of the spend plan, resubmitted with it, and approved on the day it takes effect.
   */
  private revisedIncrement(
    step: Step,
    what: string,
    grantId: () => number,
    date: string,
    kind: AmendmentKind,
    cents: number,
    note: string,
  ): void {
    let requestId = 0;
    step(addDays(date, -3), STEP_ORDER.amendment, `${what} requested`, async () => {
      requestId = (await this.requestAmendment(grantId(), date, kind, cents, note, 'Next tranche.'))
        .id;
    });
    step(addDays(date, -2), STEP_ORDER.amendment, `${what} rejected`, async () => {
      const request = await this.approvals.findOne(requestId);
      await runAs(this.person('approver'), () =>
        this.approvals.reject(request.id, request.version, REVISED_INCREMENT.rejection),
      );
    });
    step(addDays(date, -1), STEP_ORDER.amendment, `${what} resubmitted`, () =>
      this.requestAmendment(
        grantId(),
        date,
        kind,
        cents,
        note,
        REVISED_INCREMENT.resubmission,
        requestId,
      ),
    );
    step(date, STEP_ORDER.amendment, `${what} approved`, async () => {
      const request = await this.approvals.findOne(requestId);
      await runAs(this.person('approver'), () =>
        this.approvals.approve(request.id, request.version, ''),
      );
    });
  }

  /**
   * Requests still pending today. The program is at its ceiling, so the office asks to take back
   * $120,000.00 a grant will not spend (DEMO_PENDING) and to give two other grants $80,000.00 each:
   * either increment fits once the deobligation is approved, not both; approving the second is
   * refused with the headroom left.
   */
  private async pendingRequests(
    manager: EntityManager,
    programId: number,
    today: string,
  ): Promise<void> {
    const gates = await manager.find(Milestone, {
      where: { kind: 'go_no_go', decision: 'go', budgetPeriod: 1 },
      order: { grantId: 'ASC' },
    });
    const funded = [...new Set(gates.map((g) => g.grantId))];
    // The grant with the most obligated and not yet spent, among those not getting an increment.
    const [unspent] = await manager.query<{ grant_id: number }[]>(
      `SELECT a.grant_id FROM (SELECT grant_id, SUM(federal_change_cents) AS obligated
          FROM amendments GROUP BY grant_id) a
        LEFT JOIN (SELECT grant_id, SUM(amount_cents) AS spent FROM expenditures
                    WHERE share = 'federal' GROUP BY grant_id) e ON e.grant_id = a.grant_id
        JOIN grants g ON g.id = a.grant_id
       WHERE g.program_id = ${Number(programId)}
         AND a.grant_id NOT IN (${funded.slice(0, 2).map(Number).join(', ') || '0'})
       ORDER BY a.obligated - COALESCE(e.spent, 0) DESC, a.grant_id LIMIT 1`,
    );
    // The story's past requests and decisions were read when they happened: the inboxes start with
    // only what is waiting today.
    await manager.update(Notification, { readAt: IsNull() }, { readAt: nowIso() });
    if (funded.length < 2 || !unspent)
      throw new Error('The demo has no grants for its pending requests');
    const { deobligation, increment } = DEMO_PENDING;
    await this.requestAmendment(
      Number(unspent.grant_id),
      today,
      'deobligation',
      -deobligation.cents,
      deobligation.note,
      deobligation.justification,
    );
    for (const grantId of funded.slice(0, 2)) {
      await this.requestAmendment(
        grantId,
        today,
        'incremental_funding',
        increment.cents,
        increment.note,
        increment.justification,
      );
    }
  }

  private person(who: 'manager' | 'approver'): Actor {
    if (!this.people) throw new Error('The demo accounts are the story’s first step');
    return this.people[who];
  }
}
