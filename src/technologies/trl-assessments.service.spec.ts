import { Clock } from '../common/clock';
import { FormError } from '../common/forms';
import { runAs } from '../common/request-context';
import { makeTechnology } from '../../test/helpers/factories';
import { freshContextPerTest, rows } from '../../test/helpers/test-app';
import { TrlAssessmentsService } from './trl-assessments.service';

const MANAGER = { id: 7, email: 'pm@example.gov', name: 'PM', role: 'program_manager' };

describe(TrlAssessmentsService.name, () => {
  const t = freshContextPerTest();
  const sut = () => t.app.get(TrlAssessmentsService);
  const record = (technologyId: number, assessedOn: string, trl: number, evidence = 'Review') =>
    runAs(MANAGER, () => sut().record(technologyId, { assessedOn, trl: String(trl), evidence }));
  const currentTrl = async (id: number) =>
    (
      await rows<{ current_trl: number }>(t, 'SELECT current_trl FROM technologies WHERE id = ?', [
        id,
      ])
    )[0].current_trl;

  it('should make the latest assessment the current TRL, and record who assessed', async () => {
    const technology = await makeTechnology(t, { currentTrl: 3, assessedOn: '2025-01-01' });
    await record(technology.id, '2025-06-01', 5);
    expect(await currentTrl(technology.id)).toBe(5);
    await record(technology.id, '2025-09-01', 4); // a TRL can also go down
    expect(await currentTrl(technology.id)).toBe(4);
    const [last] = await rows(
      t,
      'SELECT recorded_by FROM trl_assessments ORDER BY id DESC LIMIT 1',
    );
    expect(last).toEqual({ recorded_by: 'pm@example.gov' });
  });

  it('should keep a back-dated assessment in the history without overriding a newer one', async () => {
    const technology = await makeTechnology(t, {
      currentTrl: 6,
      targetTrl: 7,
      assessedOn: '2025-06-01',
    });
    await record(technology.id, '2025-02-01', 2);
    expect(await currentTrl(technology.id)).toBe(6);
    const history = await sut().historyOf(technology.id);
    expect(history.map((a) => [a.assessedOn, a.trl, a.change])).toEqual([
      ['2025-02-01', 2, null],
      ['2025-06-01', 6, 4],
    ]);
  });

  it('should break a same-day tie by the order of recording', async () => {
    const technology = await makeTechnology(t, { currentTrl: 3, assessedOn: '2025-01-01' });
    await record(technology.id, '2025-03-01', 5);
    await record(technology.id, '2025-03-01', 4, 'Corrected after review');
    expect(await currentTrl(technology.id)).toBe(4);
  });

  it('should be append-only: no way to edit or delete, and every assessment stays', async () => {
    const methods = Object.getOwnPropertyNames(TrlAssessmentsService.prototype);
    expect(methods.filter((m) => /update|edit|delete|remove|replace/i.test(m))).toEqual([]);

    const technology = await makeTechnology(t, { currentTrl: 3, assessedOn: '2025-01-01' });
    await record(technology.id, '2025-03-01', 3);
    await record(technology.id, '2025-03-01', 3);
    expect(await sut().historyOf(technology.id)).toHaveLength(3);
    expect(
      await rows(t, "SELECT COUNT(*) AS n FROM audit_events WHERE entity_type = 'trl_assessment'"),
    ).toEqual([{ n: 2 }]);
  });

  it('should refuse an assessment dated in the future, writing nothing', async () => {
    const technology = await makeTechnology(t);
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    await expect(record(technology.id, tomorrow, 5)).rejects.toBeInstanceOf(FormError);
    expect(await sut().historyOf(technology.id)).toHaveLength(1);
    expect(sut().futureDateError(t.app.get(Clock).today())).toBeUndefined();
  });
});
