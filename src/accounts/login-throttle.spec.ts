import { LoginThrottle } from './login-throttle';

describe(LoginThrottle.name, () => {
  const minute = 60_000;

  it('should refuse an account after the allowed failures until the window passes', () => {
    const sut = new LoginThrottle(3, 15 * minute);
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) sut.fail('pm@example.gov', '10.0.0.1', t0 + i);
    expect(sut.waitMinutes('PM@example.gov', '10.0.0.2', t0 + 10)).toBe(15);
    expect(sut.waitMinutes('other@example.gov', '10.0.0.2', t0 + 10)).toBe(0);
    expect(sut.waitMinutes('pm@example.gov', '10.0.0.2', t0 + 15 * minute)).toBe(0);
  });

  it('should refuse an address that fails across many accounts', () => {
    const sut = new LoginThrottle(3, 15 * minute, 5);
    for (let i = 0; i < 5; i++) sut.fail(`user${i}@example.gov`, '10.0.0.9', i);
    expect(sut.waitMinutes('fresh@example.gov', '10.0.0.9', 10)).toBeGreaterThan(0);
    expect(sut.waitMinutes('fresh@example.gov', '10.0.0.8', 10)).toBe(0);
  });

  it('should forget an account’s failures after a success', () => {
    const sut = new LoginThrottle(2, 15 * minute, 100);
    sut.fail('pm@example.gov', 'a', 0);
    sut.succeed('pm@example.gov');
    sut.fail('pm@example.gov', 'a', 1);
    expect(sut.waitMinutes('pm@example.gov', 'a', 2)).toBe(0);
  });
});

describe(`${LoginThrottle.name} counting and memory`, () => {
  const minute = 60_000;

  it('should count an attempt when it begins, so parallel attempts cannot all pass the check', () => {
    const sut = new LoginThrottle(3, 15 * minute, 100);
    const waits = Array.from({ length: 10 }, () => sut.begin('pm@example.gov', 'a', 1_000));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(3);
  });

  it('should take back a successful attempt’s count from its address', () => {
    const sut = new LoginThrottle(3, 15 * minute, 2);
    expect(sut.begin('one@example.gov', 'a', 1)).toBe(0);
    sut.succeed('one@example.gov', 'a', 1);
    expect(sut.begin('two@example.gov', 'a', 2)).toBe(0);
    expect(sut.begin('three@example.gov', 'a', 3)).toBe(0);
    expect(sut.begin('four@example.gov', 'a', 4)).toBeGreaterThan(0);
  });

  it('should forget keys whose failures have left the window', () => {
    const sut = new LoginThrottle(3, 15 * minute);
    for (let i = 0; i < 1_000; i++)
      sut.fail(`user${i}@example.gov`, `10.0.${i >> 8}.${i & 255}`, i);
    expect(sut.size).toBe(2_000);
    sut.fail('late@example.gov', '10.9.9.9', 1_000 + 15 * minute);
    expect(sut.size).toBe(2);
  });

  it('should keep at most its key limit, however many accounts and addresses fail at once', () => {
    const sut = new LoginThrottle(3, 15 * minute, 12, 500);
    for (let i = 0; i < 5_000; i++)
      sut.fail(`user${i}@example.gov`, `10.1.${i >> 8}.${i & 255}`, i);
    expect(sut.size).toBe(500);
    // The newest failures are the ones kept.
    for (let i = 0; i < 2; i++) sut.fail('user4999@example.gov', '10.1.19.135', 5_000 + i);
    expect(sut.waitMinutes('user4999@example.gov', 'elsewhere', 5_010)).toBeGreaterThan(0);
  });
});

describe(`${LoginThrottle.name} refusals`, () => {
  const minute = 60_000;

  it('should have one refusal per address and window written, counting the rest into the next', () => {
    const sut = new LoginThrottle(3, 15 * minute);
    expect(sut.refused('10.0.0.1', 0)).toBe(1);
    for (let i = 1; i <= 999; i++) expect(sut.refused('10.0.0.1', i)).toBe(0);
    expect(sut.refused('10.0.0.2', 1_000)).toBe(1);
    expect(sut.refused('10.0.0.1', 15 * minute)).toBe(1_000);
  });
});
