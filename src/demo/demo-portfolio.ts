import { addDays, addMonths } from '../common/dates';
import type { MilestoneKind, MilestoneStatus } from '../milestones/milestone.entity';
import type { ElementSymbol, Feedstock, Pathway } from '../technologies/technology.constants';
import { trlDefinition } from '../technologies/technology.constants';

/*
 * The demo program's technologies and milestones (DESIGN.md §8). Invented like the awards: each grant
 * develops one to three technologies across the pathways and feedstocks, with TRL assessments since
 * its award, and milestones per budget period with a go/no-go review between them.
 */

export interface DemoTechnology {
  name: string;
  pathway: Pathway;
  feedstock: Feedstock;
  elements: ElementSymbol[];
  /** TRL assessed at the grant's start, TRL today, and the target. */
  trl: [atAward: number, now: number, target: number];
  description: string;
  /** Other demo grants that also develop it (many-to-many). */
  alsoDevelopedBy?: string[];
}

// prettier-ignore
export const TECHNOLOGIES: Record<string, DemoTechnology[]> = {
  'DE-SC0031981': [
    { name: 'Acid-free leaching of coal fly ash', pathway: 'extraction', feedstock: 'coal_fly_ash', elements: ['Sc', 'Y', 'Nd', 'Dy'], trl: [2, 4, 5],
      description: 'Alkaline roasting followed by a mild citrate leach that dissolves rare earths without mineral acid.' },
    { name: 'Ionic-liquid solvent extraction of fly-ash leachate', pathway: 'separation', feedstock: 'coal_fly_ash', elements: ['Nd', 'Pr', 'Dy', 'Tb'], trl: [3, 4, 5],
      description: 'Recyclable ionic-liquid extractants that split light and heavy rare earths from the leachate.' },
  ],
  'DE-SC0031982': [
    { name: 'Staged selective precipitation from acid mine drainage solids', pathway: 'extraction', feedstock: 'acid_mine_drainage', elements: ['Y', 'Dy', 'Gd', 'Co'], trl: [3, 5, 6],
      description: 'pH-staged precipitation that concentrates rare earths and cobalt from treatment sludge.' },
  ],
  'DE-SC0031983': [
    { name: 'Platinum-group element deportment mapping in mafic intrusions', pathway: 'extraction', feedstock: 'ore', elements: ['PGM'], trl: [1, 2, 3],
      description: 'Micro-analytical mapping of where the platinum-group elements sit, to target beneficiation.' },
  ],
  'DE-SC0031984': [
    { name: 'Bioleaching of phosphogypsum stacks', pathway: 'extraction', feedstock: 'phosphogypsum', elements: ['Y', 'La', 'Ce', 'Nd'], trl: [2, 3, 4],
      description: 'Organic-acid-producing microbes that leach rare earths from phosphogypsum in place.' },
    { name: 'Continuous ion exchange for phosphogypsum leachate', pathway: 'separation', feedstock: 'phosphogypsum', elements: ['Nd', 'Y'], trl: [3, 4, 5],
      description: 'A simulated-moving-bed ion-exchange circuit for dilute, high-calcium leachates.' },
  ],
  'DE-SC0031985': [
    { name: 'Fluid-inclusion tracers for carbonatite rare earth deposits', pathway: 'extraction', feedstock: 'ore', elements: ['La', 'Ce', 'Nd'], trl: [1, 2, 3],
      description: 'Fluid-inclusion chemistry that predicts where carbonatites concentrate light rare earths.' },
  ],
  'DE-SC0031986': [
    { name: 'Electrochemical stripping of platinum-group metals from spent catalysts', pathway: 'recycling', feedstock: 'other', elements: ['PGM'], trl: [3, 5, 6],
      description: 'Redox-mediated electrochemical dissolution of Pt, Pd and Rh from spent automotive catalysts.' },
    { name: 'Electrodeposition of platinum-group metal powders', pathway: 'metallization', feedstock: 'other', elements: ['PGM'], trl: [2, 3, 5],
      description: 'Direct electrodeposition of catalyst-grade metal powder from the stripping solution.' },
  ],
  'DE-SC0031987': [
    { name: 'Diglycolamide ligands for heavy rare earth extraction', pathway: 'separation', feedstock: 'ore', elements: ['Dy', 'Tb', 'Ho', 'Er', 'Y'], trl: [2, 4, 5],
      description: 'Preorganised diglycolamide extractants with higher Dy/Tb selectivity.', alsoDevelopedBy: ['DE-SC0031991'] },
  ],
  'DE-SC0031988': [
    { name: 'Rare earth speciation screening of coal combustion residues', pathway: 'extraction', feedstock: 'coal_fly_ash', elements: ['Sc', 'Y', 'Nd'], trl: [1, 2, 3],
      description: 'Synchrotron speciation that ranks coal residues by how extractable their rare earths are.' },
  ],
  'DE-SC0031989': [
    { name: 'Supported liquid membranes for e-waste leachates', pathway: 'recycling', feedstock: 'e_waste', elements: ['Nd', 'Dy', 'Co'], trl: [3, 4, 5],
      description: 'Hollow-fibre supported liquid membranes that recover rare earths and cobalt from e-waste leachates.' },
    { name: 'Gallium and germanium recovery from LED and solar scrap', pathway: 'recycling', feedstock: 'e_waste', elements: ['Ga', 'Ge'], trl: [2, 3, 4],
      description: 'Selective chlorination and distillation of gallium and germanium from device scrap.' },
  ],
  'DE-SC0031990': [
    { name: 'Hydrogen-decrepitation magnet-to-magnet recycling', pathway: 'recycling', feedstock: 'end_of_life_magnets', elements: ['Nd', 'Pr', 'Dy'], trl: [4, 6, 7],
      description: 'Hydrogen processing of end-of-life NdFeB magnets into powder for new sintered magnets.' },
    { name: 'Dysprosium-lean grain-boundary-diffused NdFeB magnets', pathway: 'substitution', feedstock: 'end_of_life_magnets', elements: ['Nd', 'Dy', 'Tb'], trl: [3, 4, 6],
      description: 'Grain-boundary diffusion that keeps coercivity with a fraction of the dysprosium.' },
    { name: 'Molten-salt electrowinning of NdPr metal', pathway: 'metallization', feedstock: 'end_of_life_magnets', elements: ['Nd', 'Pr'], trl: [3, 4, 5],
      description: 'Fluoride molten-salt electrolysis of recycled NdPr oxide to metal.' },
  ],
  'DE-SC0031991': [
    { name: 'Adjacent-lanthanide selectivity models', pathway: 'separation', feedstock: 'ore', elements: ['La', 'Ce', 'Pr', 'Nd', 'Sm', 'Eu', 'Gd'], trl: [2, 3, 4],
      description: 'Thermodynamic and kinetic models that predict separation factors between neighbouring lanthanides.' },
    { name: 'Cerium-cobalt permanent magnets', pathway: 'substitution', feedstock: 'ore', elements: ['Ce', 'Co'], trl: [2, 3, 4],
      description: 'Cerium-based magnet alloys that replace part of the neodymium and dysprosium.' },
  ],
  'DE-SC0031992': [
    { name: 'Lanmodulin-inspired peptide sorbents', pathway: 'separation', feedstock: 'brine', elements: ['Nd', 'Dy', 'Tb', 'Y'], trl: [2, 3, 5],
      description: 'Immobilised lanthanide-binding peptides for dilute brines and leachates.' },
  ],
  'DE-SC0031993': [
    { name: 'In-situ desorption of ion-adsorption clays', pathway: 'extraction', feedstock: 'ore', elements: ['Y', 'Dy', 'Tb', 'La'], trl: [2, 3, 4],
      description: 'Ammonium-free desorption chemistry for ion-adsorption clay deposits.' },
    { name: 'Lithium and rare earth co-recovery sorbents for geothermal brine', pathway: 'extraction', feedstock: 'brine', elements: ['Li', 'Y', 'Nd'], trl: [1, 3, 4],
      description: 'Layered sorbents that take lithium and rare earths from the same geothermal brine.' },
  ],
};

export interface DemoAssessment {
  assessedOn: string;
  trl: number;
  evidence: string;
}

/** The baseline at the grant's start, then one assessment per level gained, at months 9 and 15. */
export function assessmentsFor(technology: DemoTechnology, startDate: string): DemoAssessment[] {
  const [atAward, now] = technology.trl;
  const steps = [
    {
      assessedOn: startDate,
      trl: atAward,
      evidence: `Baseline at award, from the application's technical volume: ${trlDefinition(atAward).toLowerCase()}.`,
    },
  ];
  for (let trl = atAward + 1, step = 0; trl <= now; trl++, step++) {
    steps.push({
      assessedOn: addMonths(startDate, 9 + 6 * step),
      trl,
      evidence: `${trlDefinition(trl)}: shown in the progress review of month ${9 + 6 * step}, with test data in the quarterly report.`,
    });
  }
  return steps;
}

export interface DemoMilestone {
  budgetPeriod: number;
  title: string;
  kind: MilestoneKind;
  dueDate: string;
  status: MilestoneStatus;
  completedOn: string | null;
  notes: string;
  /** For the go/no-go review: the decision and the day it was made. */
  decision?: { decision: 'go'; decidedOn: string; rationale: string };
}

/** Which grants (by position in the demo list) slip, so that most milestones are met and a few are not. */
const LATE_PROOF_OF_CONCEPT = new Set([1, 5, 9]);
const NOT_DONE_TEST_PLAN = new Set([3, 8]);
const RECORDED_MISSED = 11;
const WAIVED = 4;
/** DE-SC0031987's go/no-go review was held 12 days after budget period 1 ended. */
export const LATE_DECISION = { index: 6, days: 12 };

/**
 * The milestones of one grant: budget period 1 is over (all decided, one late proof of concept here
 * and there), budget period 2 is two months in (a test plan a few grants have not delivered, the rest
 * upcoming).
 */
export function milestonesFor(
  index: number,
  technology: string,
  dates: { startDate: string; endDate: string; bp2StartDate: string },
): DemoMilestone[] {
  const { startDate: s, endDate, bp2StartDate } = dates;
  const bp1End = addDays(bp2StartDate, -1);
  const at = (months: number, days = 0) => addDays(addMonths(s, months), days);
  const done = (due: string, daysEarly: number) => ({
    status: 'complete' as const,
    completedOn: addDays(due, -daysEarly),
  });
  const open = { status: 'planned' as const, completedOn: null };

  const proofDue = at(8);
  const testPlanDue = at(19);
  const decidedOn = index === LATE_DECISION.index ? addDays(bp1End, LATE_DECISION.days) : bp1End;
  // prettier-ignore
  return [
    { budgetPeriod: 1, kind: 'report', title: 'Project management plan and data management plan',
      dueDate: at(1), ...done(at(1), 5), notes: '' },
    { budgetPeriod: 1, kind: 'deliverable', title: `Bench-scale proof of concept: ${technology}`, dueDate: proofDue,
      ...(LATE_PROOF_OF_CONCEPT.has(index)
        ? { status: 'complete' as const, completedOn: addDays(proofDue, 24) }
        : done(proofDue, 3)),
      notes: LATE_PROOF_OF_CONCEPT.has(index) ? 'Delivered late: reagent supply delayed the second test series.' : '' },
    { budgetPeriod: 1, kind: 'report', title: 'Annual progress report, year 1', dueDate: at(13), ...done(at(13), 2), notes: '' },
    { budgetPeriod: 1, kind: 'deliverable', title: 'Process parameter validation report', dueDate: at(16),
      ...(index === WAIVED ? { status: 'waived' as const, completedOn: null } : done(at(16), 6)),
      notes: index === WAIVED ? 'Waived by the program manager: replaced by the expanded field campaign.' : '' },
    { budgetPeriod: 1, kind: 'go_no_go', title: 'Budget period 1 go/no-go review', dueDate: bp1End,
      status: 'planned', completedOn: null, notes: '',
      decision: { decision: 'go', decidedOn,
        rationale: 'Budget period 1 success criteria met: proof of concept shown and the target recovery reached at bench scale.' } },
    { budgetPeriod: 2, kind: 'deliverable', title: 'Integrated test plan for budget period 2', dueDate: testPlanDue,
      ...(NOT_DONE_TEST_PLAN.has(index)
        ? open
        : index === RECORDED_MISSED
          ? { status: 'missed' as const, completedOn: null }
          : done(testPlanDue, 4)),
      notes: index === RECORDED_MISSED ? 'Missed: the test facility was unavailable; a revised date was requested.' : '' },
    { budgetPeriod: 2, kind: 'deliverable', title: 'Preliminary techno-economic analysis', dueDate: at(20, 10), ...open, notes: '' },
    { budgetPeriod: 2, kind: 'deliverable', title: `Extended-duration test: ${technology}`, dueDate: at(22), ...open, notes: '' },
    { budgetPeriod: 2, kind: 'report', title: 'Annual progress report, year 2', dueDate: at(25), ...open, notes: '' },
    { budgetPeriod: 2, kind: 'deliverable', title: 'Performance at the target TRL', dueDate: at(30), ...open, notes: '' },
    { budgetPeriod: 2, kind: 'report', title: 'Final technical report', dueDate: endDate, ...open, notes: '' },
  ];
}
