import type { Role } from '../accounts/user.entity';
import { addDays, addMonths } from '../common/dates';
import type { RecipientType } from '../grants/recipient.entity';
import { DemoMilestone, milestonesFor, TECHNOLOGIES } from './demo-portfolio';

/*
 * The illustrative demo program (DESIGN.md §8). The program-level facts are public (DE-FOA-0002483:
 * $30M to 13 projects led by 10 universities and 3 national laboratories, up to three years, $10M of
 * it in the first fiscal year); every award, recipient and amount below is invented, and all dates
 * are relative to the day the demo is loaded so the program is always mid-flight.
 */

/** One demo account per role: role, name, e-mail address. */
export const DEMO_USERS: [Role, string, string][] = [
  ['admin', 'Demo Administrator', 'admin@demo.local'],
  ['program_manager', 'Demo Program Manager', 'manager@demo.local'],
  ['approving_official', 'Demo Approving Official', 'approver@demo.local'],
  ['auditor', 'Demo Auditor', 'auditor@demo.local'],
];

export const PROGRAM = {
  name: 'Critical Minerals and Materials: Chemical and Materials Sciences Research on Rare Earth and Platinum Group Elements',
  fundingOpportunity: 'DE-FOA-0002483',
  office: 'DOE Office of Science, Basic Energy Sciences',
  ceilingDollars: 30_000_000,
  costSharePercent: 20,
};

export interface DemoGrant {
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
export const GRANTS: DemoGrant[] = [
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
export const REALLOCATION = {
  from: 'DE-SC0031988',
  to: 'DE-SC0031990',
  dollars: 62_500,
  monthsAfterAward: 19,
  fromNote: 'Deobligation of unneeded funds: the second field-sampling campaign was descoped.',
  toNote:
    'Supplement for a pilot magnet-to-magnet recycling run, funded from the balance returned by DE-SC0031988.',
};

/**
 * The one request the approving official sends back: the first increment of the second grant is
 * requested without the recipient's spend plan, rejected for it, and resubmitted with it.
 */
export const REVISED_INCREMENT = {
  index: 1,
  rejection: 'Attach the recipient’s updated spend plan for the tranche before I approve it.',
  resubmission:
    'Next tranche as scheduled; the recipient’s updated spend plan (received this week) is in the award file.',
};

/**
 * What is still pending today: the program is at its ceiling, so a deobligation would free
 * $120,000.00, and two increments of $80,000.00 each wait for it; after it, either fits, not both.
 */
export const DEMO_PENDING = {
  deobligation: {
    cents: 120_000_00,
    note: 'Return of funds the recipient will not spend: the pilot-plant lease ended early.',
    justification:
      'The recipient confirmed in writing that $120,000.00 of the obligation will not be spent.',
  },
  increment: {
    cents: 80_000_00,
    note: 'Supplemental funding for a scale-up run',
    justification:
      'Scale-up run proposed at the last review; funded from the returned balance once its deobligation is approved. Only one of the two proposals fits.',
  },
};

/** The program obligates its ceiling in three equal fiscal-year tranches (DOE funded $10M of it in FY2021). */
const TRANCHES = 3;
export const AWARD_MONTHS_AGO = 20;
const PERFORMANCE_MONTHS = 36;
/**
 * Year 2's increment is released in month 9: the faster grants spend a third of their award before
 * month 12, and no entry may take spending above what is obligated on the day it is recorded.
 */
const YEAR_2_RELEASED_MONTHS = 9;
/** The go/no-go point that separates budget period 1 from budget period 2. */
const BP1_MONTHS = 18;
/** The FOA was announced about six months before the awards; the program runs a year past the last grant. */
export const PROGRAM_LEAD_MONTHS = 6;
export const PROGRAM_TAIL_MONTHS = PERFORMANCE_MONTHS + 12;

export interface Schedule {
  startDate: string;
  endDate: string;
  bp2StartDate: string;
  /**
   * When each tranche is obligated: the award, month 9, and the start of budget period 2 — or
   * the day of the go decision if that came later (rule 7: no money for BP2 before the go).
   */
  trancheDates: string[];
  milestones: DemoMilestone[];
}

export function scheduleFor(awardDate: string, grant: DemoGrant, index: number): Schedule {
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
    trancheDates: [
      startDate,
      addMonths(startDate, YEAR_2_RELEASED_MONTHS),
      go > bp2StartDate ? go : bp2StartDate,
    ],
    milestones,
  };
}

/**
 * Each grant's award in three whole-dollar increments, in cents. Thirds do not divide evenly, so the
 * last grant takes what is left of each tranche: every tranche is then exactly the ceiling / 3.
 */
export function trancheCents(grants: DemoGrant[]): number[][] {
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

export function trancheNote(tranche: number, date: string): string {
  const fy = fiscalYear(date);
  return [
    `Original award: ${fy} funding for budget period 1, year 1.`,
    `${fy} funding increment for budget period 1, year 2, released early as spending neared the award.`,
    `${fy} funding increment for budget period 2 (months 19–36), released at the go/no-go decision.`,
  ][tranche];
}
