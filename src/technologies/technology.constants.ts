/** The catalogue's fixed vocabularies: stored as these codes, shown with their labels. */

export const PATHWAYS = [
  'extraction',
  'separation',
  'recycling',
  'metallization',
  'substitution',
] as const;
export type Pathway = (typeof PATHWAYS)[number];

export const FEEDSTOCKS = {
  coal_fly_ash: 'Coal fly ash',
  acid_mine_drainage: 'Acid mine drainage',
  phosphogypsum: 'Phosphogypsum',
  end_of_life_magnets: 'End-of-life magnets',
  e_waste: 'E-waste',
  ore: 'Ore',
  brine: 'Brine',
  other: 'Other',
} as const;
export type Feedstock = keyof typeof FEEDSTOCKS;
export const FEEDSTOCK_CODES = Object.keys(FEEDSTOCKS) as Feedstock[];

/** Scandium, yttrium and the lanthanides, then the other critical minerals grants name. */
export const ELEMENTS = {
  Sc: 'Scandium',
  Y: 'Yttrium',
  La: 'Lanthanum',
  Ce: 'Cerium',
  Pr: 'Praseodymium',
  Nd: 'Neodymium',
  Pm: 'Promethium',
  Sm: 'Samarium',
  Eu: 'Europium',
  Gd: 'Gadolinium',
  Tb: 'Terbium',
  Dy: 'Dysprosium',
  Ho: 'Holmium',
  Er: 'Erbium',
  Tm: 'Thulium',
  Yb: 'Ytterbium',
  Lu: 'Lutetium',
  Co: 'Cobalt',
  Li: 'Lithium',
  Ga: 'Gallium',
  Ge: 'Germanium',
  graphite: 'Graphite',
  PGM: 'Platinum-group metals',
} as const;
export type ElementSymbol = keyof typeof ELEMENTS;
export const ELEMENT_SYMBOLS = Object.keys(ELEMENTS) as ElementSymbol[];

/** DOE Technology Readiness Levels (DOE G 413.3-4A), with their short definitions. */
export const TRL_LEVELS = [
  { level: 1, definition: 'Basic principles observed and reported' },
  { level: 2, definition: 'Technology concept and/or application formulated' },
  { level: 3, definition: 'Analytical and experimental proof of concept of critical functions' },
  { level: 4, definition: 'Component and/or system validation in a laboratory environment' },
  { level: 5, definition: 'Laboratory-scale similar system validated in a relevant environment' },
  {
    level: 6,
    definition: 'Engineering/pilot-scale prototypical system validated in a relevant environment',
  },
  { level: 7, definition: 'Full-scale prototypical system demonstrated in a relevant environment' },
  { level: 8, definition: 'Actual system completed and qualified through test and demonstration' },
  { level: 9, definition: 'Actual system operated over the full range of expected conditions' },
] as const;
export const MIN_TRL = 1;
export const MAX_TRL = 9;

export const trlDefinition = (level: number): string =>
  TRL_LEVELS.find((t) => t.level === level)?.definition ?? '';
