import { freshContextPerTest } from '../../test/helpers/test-app';
import { WritePath } from '../common/database/write-path';
import { LoginThrottle } from './login-throttle';

const minute = 60_000;

describe(LoginThrottle.name, () => {
  const t = freshContextPerTest();
  const throttle = (...limits: [number, number, number?, number?, number?]) =>
    new LoginThrottle(t.app.get(WritePath), ...limits);

  it('should refuse an account after the allowed failures until the window passes', async () => {
    const sut = throttle(3, 15 * minute);
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) await sut.fail('pm@example.gov', '10.0.0.1', t0 + i);
    expect(await sut.waitMinutes('PM@example.gov', '10.0.0.2', t0 + 10)).toBe(15);
    expect(await sut.waitMinutes('other@example.gov', '10.0.0.2', t0 + 10)).toBe(0);
    expect(await sut.waitMinutes('pm@example.gov', '10.0.0.2', t0 + 15 * minute)).toBe(0);
  });

  it('should refuse an address that fails across many accounts', async () => {
    const sut = throttle(3, 15 * minute, 5);
    for (let i = 0; i < 5; i++) await sut.fail(`user${i}@example.gov`, '10.0.0.9', i);
    expect(await sut.waitMinutes('fresh@example.gov', '10.0.0.9', 10)).toBeGreaterThan(0);
    expect(await sut.waitMinutes('fresh@example.gov', '10.0.0.8', 10)).toBe(0);
  });

  it('should forget an account’s failures after a success', async () => {
    const sut = throttle(2, 15 * minute, 100);
    await sut.fail('pm@example.gov', 'a', 0);
    await sut.succeed('pm@example.gov');
    await sut.fail('pm@example.gov', 'a', 1);
    expect(await sut.waitMinutes('pm@example.gov', 'a', 2)).toBe(0);
  });

  it('should count an attempt when it begins, so parallel attempts cannot all pass the check', async () => {
    const sut = throttle(3, 15 * minute, 100);
    const waits = await Promise.all(
      Array.from({ length: 10 }, () => sut.begin('pm@example.gov', 'a', 1_000)),
    );
    expect(waits.filter((wait) => wait === 0)).toHaveLength(3);
  });

  it('should count the failures of every instance on the same database together', async () => {
    // Two throttles on one database stand for two app instances: each sees the other's counts.
    const [one, two] = [throttle(3, 15 * minute, 100), throttle(3, 15 * minute, 100)];
    const waits = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? one : two).begin('pm@example.gov', 'a', 1_000)),
    );
    expect(waits.filter((wait) => wait === 0)).toHaveLength(3);
    expect(await two.waitMinutes('pm@example.gov', 'b', 1_001)).toBe(15);
  });

  it('should take back a successful attempt’s count from its address', async () => {
    const sut = throttle(3, 15 * minute, 2);
    expect(await sut.begin('one@example.gov', 'a', 1)).toBe(0);
    await sut.succeed('one@example.gov', 'a', 1);
    expect(await sut.begin('two@example.gov', 'a', 2)).toBe(0);
    expect(await sut.begin('three@example.gov', 'a', 3)).toBe(0);
    expect(await sut.begin('four@example.gov', 'a', 4)).toBeGreaterThan(0);
  });

  it('should forget keys whose failures have left the window', async () => {
    const sut = throttle(3, 15 * minute, 12, 100_000, 1);
    for (let i = 0; i < 200; i++)
      await sut.fail(`user${i}@example.gov`, `10.0.${i >> 8}.${i & 255}`, i);
    expect(await sut.size()).toBe(400);
    await sut.fail('late@example.gov', '10.9.9.9', 200 + 15 * minute);
    expect(await sut.size()).toBe(2);
  });

  it('should keep at most its key limit, however many accounts and addresses fail at once', async () => {
    const sut = throttle(3, 15 * minute, 12, 50, 1);
    for (let i = 0; i < 300; i++)
      await sut.fail(`user${i}@example.gov`, `10.1.${i >> 8}.${i & 255}`, i);
    expect(await sut.size()).toBe(50);
    // The newest failures are the ones kept.
    for (let i = 0; i < 2; i++) await sut.fail('user299@example.gov', '10.1.1.43', 300 + i);
    expect(await sut.waitMinutes('user299@example.gov', 'elsewhere', 310)).toBeGreaterThan(0);
  });

  it('should have one refusal per address and window written, counting the rest into the next', async () => {
    const sut = throttle(3, 15 * minute);
    const other = throttle(3, 15 * minute);
    expect(await sut.refused('10.0.0.1', 0)).toBe(1);
    for (let i = 1; i <= 99; i++)
      expect(await (i % 2 ? other : sut).refused('10.0.0.1', i)).toBe(0);
    expect(await sut.refused('10.0.0.2', 1_000)).toBe(1);
    expect(await other.refused('10.0.0.1', 15 * minute)).toBe(100);
  });

  it('should forget every count when cleared', async () => {
    const sut = throttle(1, 15 * minute);
    await sut.fail('pm@example.gov', 'a', 0);
    await sut.refused('a', 0);
    await sut.clear();
    expect(await sut.size()).toBe(0);
    expect(await sut.waitMinutes('pm@example.gov', 'a', 1)).toBe(0);
  });
});
