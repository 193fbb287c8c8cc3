import { FormError, validateForm } from '../common/forms';
import { makeTechnology } from '../../test/helpers/factories';
import { freshContextPerTest, rows } from '../../test/helpers/test-app';
import { NewTechnologyFormDto, TechnologyFormDto } from './dto/technology-form.dto';
import { sortElements, TechnologiesService } from './technologies.service';

const form = (overrides: Partial<NewTechnologyFormDto> = {}): NewTechnologyFormDto =>
  Object.assign(new NewTechnologyFormDto(), {
    name: 'Hydrometallurgical magnet recycling',
    pathway: 'recycling',
    feedstock: 'end_of_life_magnets',
    elements: ['Dy', 'Nd'],
    targetTrl: '6',
    description: '',
    currentTrl: '4',
    assessedOn: '2025-05-01',
    evidence: 'Pilot report',
    ...overrides,
  });

describe(TechnologiesService.name, () => {
  const t = freshContextPerTest();
  const sut = () => t.app.get(TechnologiesService);

  describe('TRL range', () => {
    it.each(['0', '10', '4.5', '-3', 'four', '', ' 7x'])(
      'should refuse the TRL %j as not a whole number from 1 to 9',
      async (trl) => {
        const { errors } = await validateForm(NewTechnologyFormDto, {
          ...form(),
          currentTrl: trl,
          targetTrl: trl,
        });
        expect(errors.currentTrl).toBe('TRL is a whole number from 1 to 9');
        expect(errors.targetTrl).toBe('TRL is a whole number from 1 to 9');
      },
    );

    it.each(['1', '9', ' 5 '])('should accept the TRL %j', async (trl) => {
      const { errors } = await validateForm(NewTechnologyFormDto, {
        ...form(),
        currentTrl: trl,
        targetTrl: '9',
      });
      expect(errors).toEqual({});
    });

    it('should normalise one ticked element to a list and refuse unknown symbols', async () => {
      const one = await validateForm(TechnologyFormDto, { ...form(), elements: 'Dy' });
      expect(one.value.elements).toEqual(['Dy']);
      expect(one.errors).toEqual({});
      const unknown = await validateForm(TechnologyFormDto, { ...form(), elements: ['Dy', 'U'] });
      expect(unknown.errors.elements).toBe('Choose target elements from the list only.');
      const none = await validateForm(TechnologyFormDto, { ...form(), elements: undefined });
      expect(none.errors.elements).toBe('Choose at least one target element.');
    });
  });

  it('should refuse a target below the current TRL when creating, writing nothing', async () => {
    await expect(sut().create(form({ currentTrl: '5', targetTrl: '4' }))).rejects.toMatchObject({
      errors: { targetTrl: 'The target TRL (4) cannot be below the current TRL (5).' },
    });
    expect(await rows(t, 'SELECT id FROM technologies')).toEqual([]);
  });

  it('should accept a target equal to the current TRL', async () => {
    const saved = await sut().create(form({ currentTrl: '5', targetTrl: '5' }));
    expect(saved).toMatchObject({ currentTrl: 5, targetTrl: 5 });
  });

  it('should refuse lowering the target below the current TRL on edit', async () => {
    const technology = await makeTechnology(t, { currentTrl: 5, targetTrl: 7 });
    await expect(
      sut().update(technology.id, 1, form({ name: technology.name, targetTrl: '4' })),
    ).rejects.toBeInstanceOf(FormError);
    expect(await rows(t, 'SELECT target_trl FROM technologies')).toEqual([{ target_trl: 7 }]);
  });

  it('should still save other fields when an assessment has passed an unchanged target', async () => {
    const technology = await makeTechnology(t, { currentTrl: 8, targetTrl: 6 });
    const saved = await sut().update(
      technology.id,
      1,
      form({ name: technology.name, targetTrl: '6', description: 'Exceeded its goal' }),
    );
    expect(saved).toMatchObject({ currentTrl: 8, targetTrl: 6, description: 'Exceeded its goal' });
  });

  it('should sort elements in catalogue order, each once', () => {
    expect(sortElements(['Li', 'Dy', 'Sc', 'Dy', 'Nd'])).toEqual(['Sc', 'Nd', 'Dy', 'Li']);
  });
});
