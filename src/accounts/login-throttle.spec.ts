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
