import { costShareFigures } from './cost-share.rules';

describe(costShareFigures.name, () => {
  it('should round the requirement up to the cent', () => {
    // 20 % of $1,000,000.03 is $200,000.006: the requirement is $200,000.01.
    const sut = costShareFigures({
      asOf: '2026-01-31',
      requiredPercent: 20,
      obligatedCents: 800_000_03,
      committedCents: 200_000_00,
      metCents: 0,
    });
    expect(sut.requiredCents).toBe(200_000_01);
    expect(sut.committedShortfallCents).toBe(1);
  });

  it('should require nothing of an exempt program', () => {
    const sut = costShareFigures({
      asOf: '2026-01-31',
      requiredPercent: 0,
      obligatedCents: 800_000_00,
      committedCents: 0,
      metCents: 0,
    });
    expect(sut).toMatchObject({ requiredCents: 0, committedMeetsRequired: true });
    expect(sut.metPercentOfCommitted).toBeNull();
  });
});
