/**
 * Reconciliation as a pure function: the same figure for the same subjects (grants, program totals),
 * computed by two reports, must agree to the cent. Nothing here reads the database, so a test can
 * hand it figures that differ by one cent and see the difference listed.
 */

/** What a figure is about: a grant, or a program's total. */
export interface Subject {
  key: string;
  label: string;
}

/** One report's values of a figure, by subject key, in integer cents. */
export interface FigureSource {
  /** `Ledger CSV`, `Burn-down`, `Grants register`. */
  source: string;
  values: ReadonlyMap<string, number>;
}

/** Two reports' values of the same figure, which must agree for every subject. */
export interface Comparison {
  /** `Federal spent`, `Obligated`. */
  figure: string;
  left: FigureSource;
  right: FigureSource;
  /** The subject keys this comparison is about; every subject when absent. */
  subjects?: ReadonlySet<string>;
}

export interface Difference {
  subject: Subject;
  figure: string;
  leftSource: string;
  /** Null when the left report has no value for the subject at all. */
  leftCents: number | null;
  rightSource: string;
  rightCents: number | null;
  /** left − right; null when either is missing. */
  differenceCents: number | null;
}

export interface Reconciliation {
  subjects: number;
  /** Subject × comparison pairs checked: none only when there is no subject. */
  checks: number;
  differences: Difference[];
  reconciled: boolean;
}

/**
 * Every comparison for every subject it is about; a value missing from either side is a difference
 * too (a grant the register does not hold is a difference, not a skipped check).
 */
export function reconcile(subjects: Subject[], comparisons: Comparison[]): Reconciliation {
  const differences: Difference[] = [];
  let checks = 0;
  for (const subject of subjects) {
    for (const { figure, left, right, subjects: about } of comparisons) {
      if (about && !about.has(subject.key)) continue;
      checks += 1;
      const leftCents = left.values.get(subject.key) ?? null;
      const rightCents = right.values.get(subject.key) ?? null;
      if (leftCents !== null && leftCents === rightCents) continue;
      differences.push({
        subject,
        figure,
        leftSource: left.source,
        leftCents,
        rightSource: right.source,
        rightCents,
        differenceCents: leftCents === null || rightCents === null ? null : leftCents - rightCents,
      });
    }
  }
  return {
    subjects: subjects.length,
    checks,
    differences,
    reconciled: differences.length === 0,
  };
}
