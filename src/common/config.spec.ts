import { ConfigError, loadConfig } from './config';

describe(loadConfig.name, () => {
  it('should use the documented defaults', () => {
    const sut = loadConfig({});
    expect(sut).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      DATABASE_PATH: './data/tracker.sqlite',
      SEED_DEMO: true,
    });
  });

  it('should read values from the environment', () => {
    const sut = loadConfig({ PORT: '8080', SEED_DEMO: 'false', DATABASE_PATH: '/tmp/x.sqlite' });
    expect(sut).toMatchObject({ PORT: 8080, SEED_DEMO: false, DATABASE_PATH: '/tmp/x.sqlite' });
  });

  it.each([
    [{ PORT: 'abc' }, /PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must be a whole number/],
    [{ SEED_DEMO: 'maybe' }, /SEED_DEMO must be true or false.*"maybe"/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV must be/],
    [{ APP_TIME_ZONE: 'Mars/Olympus' }, /APP_TIME_ZONE/],
  ])('should stop with one line naming the variable for %p', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
