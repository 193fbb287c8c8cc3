import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ClassConstructor } from 'class-transformer';
import { randomBytes } from 'node:crypto';
import { CreateUserDto } from '../accounts/dto/create-user.dto';
import { Role } from '../accounts/user.entity';
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
import { BudgetPeriodsService } from '../grants/budget-periods.service';
import { AmendmentFormDto } from '../grants/dto/amendment-form.dto';
import { GrantFormDto } from '../grants/dto/grant-form.dto';
import { RecipientFormDto } from '../grants/dto/recipient-form.dto';
import { Grant } from '../grants/grant.entity';
import { RecipientType } from '../grants/recipient.entity';
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
  assessmentsFor,
  DemoMilestone,
  DemoTechnology,
  milestonesFor,
  TECHNOLOGIES,
} from './demo-portfolio';
import {
  budgetFor,
  DemoBudgetLine,
  DemoExpenditure,
  DemoPeriod,
  DUPLICATE_INVOICE,
  expendituresFor,
} from './demo-ledger';

/*
 * The illustrative demo program (DESIGN.md §8). The program-level facts are public (DE-FOA-0002483:
 * $30M to 13 projects led by 10 universities and 3 national laboratories, up to three years, $10M of
 * it in the first fiscal year); every award, recipient and amount below is invented, and all dates
 * are relative to the day the demo is loaded so the program is always mid-flight.
 */

const DEMO_USERS: [Role, string][] = [
  ['admin', 'Demo Administrator'],
  ['program_manager', 'Demo Program Manager'],
  ['auditor', 'Demo Auditor'],
];

const PROGRAM = {
  name: 'Critical Minerals and Materials: Chemical and Materials Sciences Research on Rare Earth and Platinum Group Elements',
  fundingOpportunity: 'DE-FOA-0002483',
  office: 'DOE Office of Science, Basic Energy Sciences',
  ceilingDollars: 30_000_000,
  costSharePercent: 20,
};

interface DemoGrant {
  awardNumber: string;
  recipient: { name: string; type: RecipientType; state: string; uei: string };
  title: string;
  piName: string;
  piEmail: string;
  /**
   * Awards were announced together but did not all start on the same day. Keep it under four weeks:
   * the reallocation at award + 19 months must follow every grant's last increment (start + 18 months).
   */
  startsDaysAfterAward: number;
  /** Federal share over three years, whole dollars; the 13 add up to the ceiling. */
  awardDollars: number;
  /** Basic research is usually exempt from cost share, so most recipients commit none. */
  costShareDollars: number;
}

const university = (name: string, state: string, uei: string) =>
  ({ name, type: 'university', state, uei }) as const;
const laboratory = (name: string, state: string, uei: string) =>
  ({ name, type: 'national_laboratory', state, uei }) as const;

// prettier-ignore
const GRANTS: DemoGrant[] = [
  { awardNumber: 'DE-SC0031981', recipient: university('Front Range School of Mines', 'CO', 'FRSM7K2QH4N8'),
    title: 'Hydrometallurgical recovery of rare earth elements from coal fly ash',
    piName: 'Elena Marquez', piEmail: 'elena.marquez@example.edu', startsDaysAfterAward: 0, awardDollars: 2_340_000, costShareDollars: 120_000 },
  { awardNumber: 'DE-SC0031982', recipient: university('Allegheny Plateau University', 'WV', 'APU3W9LD5XR2'),
    title: 'Selective precipitation of rare earth elements from acid mine drainage treatment solids',
    piName: 'Daniel Okafor', piEmail: 'daniel.okafor@example.edu', startsDaysAfterAward: 0, awardDollars: 2_215_000, costShareDollars: 0 },
  { awardNumber: 'DE-SC0031983', recipient: university('Big Sky Institute of Mining and Technology', 'MT', 'BSM6T4PV8CJ3'),
    title: 'Geochemical controls on platinum group element enrichment in layered mafic intrusions',
    piName: 'Rebecca Lindqvist', piEmail: 'rebecca.lindqvist@example.edu', startsDaysAfterAward: 7, awardDollars: 1_985_000, costShareDollars: 0 },
  { awardNumber: 'DE-SC0031984', recipient: university('Gulf Coast Polytechnic University', 'FL', 'GCP2H8RZ6MK5'),
    title: 'Leaching chemistry and recovery of rare earth elements from phosphogypsum stacks',
    piName: 'Marcus Thibodeaux', piEmail: 'marcus.thibodeaux@example.edu', startsDaysAfterAward: 0, awardDollars: 2_460_000, costShareDollars: 250_000 },
  { awardNumber: 'DE-SC0031985', recipient: university('Great Basin University', 'NV', 'GBU9N3XA7LQ4'),
    title: 'Fluid–rock interactions that concentrate rare earth elements in carbonatite systems',
    piName: 'Priya Raman', piEmail: 'priya.raman@example.edu', startsDaysAfterAward: 14, awardDollars: 1_640_000, costShareDollars: 0 },
  { awardNumber: 'DE-SC0031986', recipient: university('Keweenaw Technological University', 'MI', 'KTU5R7BD2WF9'),
    title: 'Electrochemical separation of platinum group metals from spent automotive catalysts',
    piName: 'Thomas Kowalczyk', piEmail: 'thomas.kowalczyk@example.edu', startsDaysAfterAward: 7, awardDollars: 2_105_000, costShareDollars: 0 },
  { awardNumber: 'DE-SC0031987', recipient: university('Susquehanna Institute of Technology', 'PA', 'SQT8M2KC6HV3'),
    title: 'Ligand design for selective solvent extraction of heavy rare earth elements',
    piName: 'Grace Nakamura', piEmail: 'grace.nakamura@example.edu', startsDaysAfterAward: 0, awardDollars: 2_580_000, costShareDollars: 0 },
  { awardNumber: 'DE-SC0031988', recipient: university('Powder River University', 'WY', 'PRU4J6YE9TA7'),
    title: 'Rare earth speciation and mobility in coal and coal combustion residues',
    piName: 'Jonah Whitfield', piEmail: 'jonah.whitfield@example.edu', startsDaysAfterAward: 14, awardDollars: 1_875_000, costShareDollars: 0 },
  { awardNumber: 'DE-SC0031989', recipient: university('Ozark Plateau University', 'AR', 'QPU7C3NG5ZD2'),
    title: 'Membrane separation of rare earth elements from electronic waste leachates',
    piName: 'Aisha Bello', piEmail: 'aisha.bello@example.edu', startsDaysAfterAward: 7, awardDollars: 1_730_000, costShareDollars: 0 },
  { awardNumber: 'DE-SC0031990', recipient: university('Sonoran Polytechnic University', 'AZ', 'SPU2V8QF4RB6'),
    title: 'Direct recycling of NdFeB magnets from end-of-life hard disk drives and motors',
    piName: 'Kevin Tran', piEmail: 'kevin.tran@example.edu', startsDaysAfterAward: 0, awardDollars: 2_480_000, costShareDollars: 95_000 },
  { awardNumber: 'DE-SC0031991', recipient: laboratory('Ames National Laboratory', 'IA', 'AML9D4HT7KX3'),
    title: 'Separation science of adjacent lanthanides: thermodynamics and kinetics of selectivity',
    piName: 'Laura Bergstrom', piEmail: 'laura.bergstrom@example.gov', startsDaysAfterAward: 0, awardDollars: 2_950_000, costShareDollars: 0 },
  { awardNumber: 'DE-SC0031992', recipient: laboratory('Oak Ridge National Laboratory', 'TN', 'RNL6F2WJ8PC5'),
    title: 'Design and synthesis of bioinspired lanthanide-binding molecules',
    piName: 'Michael Adeyemi', piEmail: 'michael.adeyemi@example.gov', startsDaysAfterAward: 0, awardDollars: 2_880_000, costShareDollars: 0 },
  { awardNumber: 'DE-SC0031993', recipient: laboratory('Pacific Northwest National Laboratory', 'WA', 'PNN3Q7ZK5GY8'),
    title: 'Interfacial chemistry of rare earth sorption on ion-adsorption clays',
    piName: 'Catherine Dubois', piEmail: 'catherine.dubois@example.gov', startsDaysAfterAward: 7, awardDollars: 2_760_000, costShareDollars: 0 },
];

/**
 * One grant hands back unneeded money a month after the last increment and another receives it, so
 * the demo shows a deobligation while the program stays at exactly its ceiling. The deobligation
 * must come first: before it, the program has no headroom for the supplement.
 */
const REALLOCATION = {
  from: 'DE-SC0031988',
  to: 'DE-SC0031990',
  dollars: 62_500,
  monthsAfterAward: 19,
  fromNote: 'Deobligation of unneeded funds: the second field-sampling campaign was descoped.',
  toNote:
    'Supplement for a pilot magnet-to-magnet recycling run, funded from the balance returned by DE-SC0031988.',
};

/** The program obligates its ceiling in three equal fiscal-year tranches (DOE funded $10M of it in FY2021). */
const TRANCHES = 3;
const AWARD_MONTHS_AGO = 20;
const PERFORMANCE_MONTHS = 36;
/** The go/no-go point that separates budget period 1 from budget period 2. */
const BP1_MONTHS = 18;
/** The FOA was announced about six months before the awards; the program runs a year past the last grant. */
const PROGRAM_LEAD_MONTHS = 6;
const PROGRAM_TAIL_MONTHS = PERFORMANCE_MONTHS + 12;

interface Schedule {
  startDate: string;
  endDate: string;
  bp2StartDate: string;
  /**
   * When each tranche is obligated: the award, one year in, and the start of budget period 2 — or
   * the day of the go decision if that came later (rule 7: no money for BP2 before the go).
   */
  trancheDates: string[];
  milestones: DemoMilestone[];
}

function scheduleFor(awardDate: string, grant: DemoGrant, index: number): Schedule {
  const startDate = addDays(awardDate, grant.startsDaysAfterAward);
  const bp2StartDate = addMonths(startDate, BP1_MONTHS);
  const endDate = addDays(addMonths(startDate, PERFORMANCE_MONTHS), -1);
  const technology = TECHNOLOGIES[grant.awardNumber][0].name;
  const milestones = milestonesFor(index, technology, { startDate, endDate, bp2StartDate });
  const go = milestones.find((m) => m.decision)?.decision?.decidedOn ?? bp2StartDate;
  return {
    startDate,
    endDate,
    bp2StartDate,
    trancheDates: [startDate, addMonths(startDate, 12), go > bp2StartDate ? go : bp2StartDate],
    milestones,
  };
}

/**
 * Each grant's award in three whole-dollar increments, in cents. Thirds do not divide evenly, so the
 * last grant takes what is left of each tranche: every tranche is then exactly the ceiling / 3.
 */
function trancheCents(grants: DemoGrant[]): number[][] {
  const trancheTotal = (PROGRAM.ceilingDollars * 100) / TRANCHES;
  const shares = grants.map(({ awardDollars }) => {
    const third = Math.floor(awardDollars / TRANCHES) * 100;
    return [third, third, awardDollars * 100 - 2 * third];
  });
  const last = shares[shares.length - 1];
  for (let tranche = 0; tranche < TRANCHES; tranche++) {
    const others = shares.slice(0, -1).reduce((sum, share) => sum + share[tranche], 0);
    last[tranche] = trancheTotal - others;
  }
  if (shares.flat().some((cents) => cents <= 0)) {
    throw new Error('Demo award sizes exceed the program ceiling.');
  }
  return shares;
}

/** Federal fiscal year of a date: FY2026 runs from 2025-10-01 to 2026-09-30. */
function fiscalYear(date: string): string {
  const [year, month] = date.split('-').map(Number);
  return `FY${month >= 10 ? year + 1 : year}`;
}

function trancheNote(tranche: number, date: string): string {
  const fy = fiscalYear(date);
  return [
    `Original award: ${fy} funding for budget period 1, year 1.`,
    `${fy} funding increment for budget period 1, year 2.`,
    `${fy} funding increment for budget period 2 (months 19–36), released at the go/no-go decision.`,
  ][tranche];
}

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
      await this.budgetPeriods.replace(grant.id, [
        { startDate: schedule.startDate, endDate: addDays(schedule.bp2StartDate, -1) },
        { startDate: schedule.bp2StartDate, endDate: schedule.endDate },
      ]);
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
