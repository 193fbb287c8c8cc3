import { addDays, addMonths } from '../common/dates';
import { AWARD_MONTHS_AGO, GRANTS, REALLOCATION, scheduleFor, trancheCents } from './demo-data';
import { budgetFor, DUPLICATE_INVOICE, expendituresFor } from './demo-ledger';

/**
 * The demo is dated relative to the day it is loaded, so whether its spending fits its obligations
 * depends on how months fall against that day. The seed refuses an entry that would take a grant's
 * federal spending above what is obligated on the day it is recorded (as a user's entry would be);
 * this replays that rule for every day of a year, so `npm start` works whatever the date.
 */
function overdrawnOn(today: string): string[] {
  const awardDate = addMonths(today, -AWARD_MONTHS_AGO);
  const amounts = trancheCents(GRANTS);
  const problems: string[] = [];
  for (const [index, demo] of GRANTS.entries()) {
    const schedule = scheduleFor(awardDate, demo, index);
    const periods = [
      { number: 1, startDate: schedule.startDate, endDate: addDays(schedule.bp2StartDate, -1) },
      { number: 2, startDate: schedule.bp2StartDate, endDate: schedule.endDate },
    ];
    const obligations = schedule.trancheDates.map((date, i) => ({
      date,
      cents: amounts[index][i],
    }));
    const moved = addMonths(awardDate, REALLOCATION.monthsAfterAward);
    const entered = addDays(moved, 10);
    if (demo.awardNumber === REALLOCATION.from)
      obligations.push({ date: moved, cents: -REALLOCATION.dollars * 100 });
    if (demo.awardNumber === REALLOCATION.to)
      obligations.push({ date: entered, cents: REALLOCATION.dollars * 100 });
    const supplement = demo.awardNumber === REALLOCATION.to ? REALLOCATION.dollars : 0;
    const lines = budgetFor(
      demo.recipient.type,
      periods,
      (demo.awardDollars + supplement) * 100,
      demo.costShareDollars * 100,
    );
    const go =
      schedule.milestones.find((m) => m.decision)?.decision?.decidedOn ?? schedule.bp2StartDate;
    const federal = expendituresFor(index, demo.awardNumber, periods, lines, go, today)
      .filter((e) => e.share === 'federal')
      .sort((a, b) => a.recordedOn.localeCompare(b.recordedOn));
    let spent = 0;
    let supplies = 0;
    for (const entry of federal) {
      spent += entry.amountCents;
      // The duplicate invoice counts until it is reversed six weeks later.
      const duplicate =
        index === DUPLICATE_INVOICE.index &&
        entry.category === 'supplies' &&
        ++supplies === DUPLICATE_INVOICE.month;
      if (duplicate) spent += entry.amountCents;
      const obligated = obligations
        .filter((o) => o.date <= entry.recordedOn)
        .reduce((sum, o) => sum + o.cents, 0);
      if (spent > obligated) {
        problems.push(
          `${today}: ${entry.reference} takes ${demo.awardNumber} to ${spent} > ${obligated}`,
        );
        break;
      }
    }
  }
  return problems;
}

describe('The demo on any day it is loaded', () => {
  it('should never spend above what is obligated, for every day of a year', () => {
    const problems: string[] = [];
    for (let day = '2026-01-01'; day < '2027-01-01'; day = addDays(day, 1)) {
      problems.push(...overdrawnOn(day));
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });
});
