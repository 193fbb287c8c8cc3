import {
  FIXTURES_RECORDED_AT,
  makeGrant,
  makeGrantWithProgram,
  makeTechnology,
} from '../../test/helpers/factories';
import type { Grant } from '../grants/grant.entity';
import { recordingAt } from '../common/database/recording-time';
import { freshContextPerTest } from '../../test/helpers/test-app';
import { PortfolioService } from './portfolio.service';
import { GrantTechnologiesService } from './grant-technologies.service';
import { TrlAssessmentsService } from './trl-assessments.service';

describe(PortfolioService.name, () => {
  const t = freshContextPerTest();
  const sut = () => t.app.get(PortfolioService);

  /** A technology with assessments [date, trl][], linked to grants starting on the given dates. */
  async function technologyWith(assessments: [string, number][], grantStarts: string[]) {
    const [[firstOn, firstTrl], ...rest] = assessments;
    const technology = await makeTechnology(t, {
      currentTrl: firstTrl,
      targetTrl: 9,
      assessedOn: firstOn,
    });
    const service = t.app.get(TrlAssessmentsService);
    // Recorded with the fixtures: a portfolio as of a date shows what was recorded by its end.
    for (const [assessedOn, trl] of rest) {
      await recordingAt(FIXTURES_RECORDED_AT, () =>
        t.writes.transaction((m) =>
          service.append(m, technology.id, { assessedOn, trl, evidence: 'Review' }),
        ),
      );
    }
    const { program, recipient } = await makeGrantWithProgram(t);
    const grants: Grant[] = [];
    for (const startDate of grantStarts) {
      grants.push(
        await makeGrant(t, { programId: program.id, recipientId: recipient.id, startDate }),
      );
    }
    await recordingAt(FIXTURES_RECORDED_AT, () =>
      t.app.get(GrantTechnologiesService).setGrantsOf(
        technology.id,
        grants.map((g) => String(g.id)),
      ),
    );
    return technology;
  }

  const gained = async (asOf: string) =>
    (await sut().trlGained(asOf)).map((r) => [r.baselineTrl, r.currentTrl, r.gained]);

  it('should measure from the TRL on the earliest start date of the linked grants', async () => {
    await technologyWith(
      [
        ['2024-06-01', 2],
        ['2025-03-01', 3],
        ['2025-08-01', 4],
        ['2026-02-01', 6],
      ],
      ['2025-07-01', '2025-04-01'],
    );
    expect(await gained('2025-12-31')).toEqual([[3, 4, 1]]);
    expect(await gained('2026-03-01')).toEqual([[3, 6, 3]]);
  });

  it('should fall back to the first assessment when none is as early as the award', async () => {
    await technologyWith(
      [
        ['2025-09-01', 4],
        ['2025-12-01', 5],
      ],
      ['2025-04-01'],
    );
    expect(await gained('2026-01-31')).toEqual([[4, 5, 1]]);
  });

  it('should never take a baseline later than the as-of date', async () => {
    await technologyWith(
      [
        ['2025-01-01', 3],
        ['2025-06-01', 5],
      ],
      ['2025-07-01'],
    );
    // On 2025-03-01 the grant has not started: baseline and current are both the TRL then.
    expect(await gained('2025-03-01')).toEqual([[3, 3, 0]]);
  });

  it('should show no gain for a technology not yet assessed on the date', async () => {
    await technologyWith([['2025-06-01', 4]], ['2025-01-01']);
    expect(await gained('2025-05-01')).toEqual([[null, null, null]]);
  });
});
