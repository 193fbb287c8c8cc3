/** The SF-424A object class categories, in the form's order; all but indirect charges are direct. */
export const COST_CATEGORIES = [
  'personnel',
  'fringe_benefits',
  'travel',
  'equipment',
  'supplies',
  'contractual',
  'construction',
  'other',
  'indirect_charges',
] as const;
export type CostCategory = (typeof COST_CATEGORIES)[number];

export const DIRECT_CATEGORIES = COST_CATEGORIES.filter((c) => c !== 'indirect_charges');

export const SHARES = ['federal', 'cost_share'] as const;
export type Share = (typeof SHARES)[number];
