import { formatMoney } from '../common/money';

/**
 * Cost share as a pure function of a grant's figures: what the program requires, what the recipient
 * committed and what the ledger shows met. The grant page's budget summary, the cost-share register
 * and the SF-425 all use it.
 */

export interface CostShareFigures {
  asOf: string;
  /** The program's required cost share, percent of total project cost. */
  requiredPercent: number;
  obligatedCents: number;
  committedCents: number;
  /** Federal obligated + committed cost share. */
  totalProjectCents: number;
  /** requiredPercent × total project cost, rounded up to the cent. */
  requiredCents: number;
  /** Cost-share spending in the ledger as of `asOf`, reversals included. */
  metCents: number;
  committedMeetsRequired: boolean;
  /** How far the commitment falls short of the requirement (0 when it meets it). */
  committedShortfallCents: number;
  /** Committed minus met: still to be contributed (negative when more was met than committed). */
  committedRemainingCents: number;
  /** Met as a percent of committed, one decimal; null when nothing is committed. */
  metPercentOfCommitted: number | null;
  /**
   * True while the grant has no amendment: nothing is obligated, so a requirement of $0.00 "met" by
   * any commitment would mislead; the message says what will be required instead.
   */
  awaitingObligation: boolean;
  message: string;
}

/** Required cost share = percent × (federal obligated + committed cost share), rounded up. */
export function costShareFigures(input: {
  asOf: string;
  requiredPercent: number;
  obligatedCents: number;
  committedCents: number;
  metCents: number;
  /** The grant's amendments (as of asOf); 0 means no money was ever obligated. Unknown: omitted. */
  amendmentCount?: number;
}): CostShareFigures {
  const { asOf, requiredPercent, obligatedCents, committedCents, metCents } = input;
  const awaitingObligation = input.amendmentCount === 0;
  const totalProjectCents = obligatedCents + committedCents;
  const scaled = BigInt(requiredPercent) * BigInt(Math.max(0, totalProjectCents));
  const requiredCents = Number((scaled + 99n) / 100n);
  const committedMeetsRequired = committedCents >= requiredCents;
  const committedShortfallCents = Math.max(0, requiredCents - committedCents);
  const metPercentOfCommitted =
    committedCents > 0 ? Math.round((metCents / committedCents) * 1000) / 10 : null;
  const required = `${requiredPercent} % of the total project cost (${formatMoney(totalProjectCents)}) is ${formatMoney(requiredCents)}`;
  const message = awaitingObligation
    ? `No amendment has obligated money yet, so no cost share is required so far. Once money is obligated, ${requiredPercent} % of the total project cost (the federal amount obligated plus the committed cost share, now ${formatMoney(committedCents)}) is required as cost share.`
    : committedMeetsRequired
      ? `The committed cost share (${formatMoney(committedCents)}) meets the requirement: ${required}.`
      : `The committed cost share (${formatMoney(committedCents)}) is ${formatMoney(committedShortfallCents)} short of the requirement: ${required}.`;
  return {
    asOf,
    requiredPercent,
    obligatedCents,
    committedCents,
    totalProjectCents,
    requiredCents,
    metCents,
    committedMeetsRequired,
    committedShortfallCents,
    committedRemainingCents: committedCents - metCents,
    metPercentOfCommitted,
    awaitingObligation,
    message,
  };
}
