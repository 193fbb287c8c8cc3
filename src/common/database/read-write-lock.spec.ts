import { ReadWriteLock } from './read-write-lock';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe(ReadWriteLock.name, () => {
  it('should let shared holders run together', async () => {
    const sut = new ReadWriteLock();
    let running = 0;
    let peak = 0;
    const reader = () =>
      sut.shared(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await tick();
        running -= 1;
      });
    await Promise.all([reader(), reader(), reader()]);
    expect(peak).toBe(3);
  });

  it('should run an exclusive holder alone', async () => {
    const sut = new ReadWriteLock();
    const events: string[] = [];
    const hold = (name: string, exclusive: boolean) =>
      (exclusive ? sut.exclusive.bind(sut) : sut.shared.bind(sut))(async () => {
        events.push(`${name}+`);
        await tick();
        await tick();
        events.push(`${name}-`);
      });
    await Promise.all([hold('r1', false), hold('w1', true), hold('r2', false), hold('w2', true)]);
    expect(events).toEqual(['r1+', 'r1-', 'w1+', 'w1-', 'r2+', 'r2-', 'w2+', 'w2-']);
  });

  it('should release the lock when the work throws', async () => {
    const sut = new ReadWriteLock();
    await expect(sut.exclusive(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(sut.exclusive(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
