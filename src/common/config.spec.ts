import { approvalThresholdCents, ConfigError, loadConfig } from './config';

describe(loadConfig.name, () => {
  it('should use the documented defaults', () => {
    const sut = loadConfig({});
    expect(sut).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      DATABASE_PATH: './data/tracker.sqlite',
      SEED_DEMO: true,
      APPROVAL_THRESHOLD: '25000.00',
      REQUEST_REMINDER_DAYS: 5,
      SMTP_URL: undefined,
      DIGEST_HOUR: 7,
    });
    expect(approvalThresholdCents(sut)).toBe(25_000_00);
    expect(approvalThresholdCents(loadConfig({ APPROVAL_THRESHOLD: '10' }))).toBe(10_00);
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
    [{ APPROVAL_THRESHOLD: '$25,000' }, /APPROVAL_THRESHOLD must be an amount in dollars/],
    [{ SMTP_URL: 'mail.example.gov' }, /SMTP_URL must be an SMTP URL/],
    [{ DIGEST_HOUR: '24' }, /DIGEST_HOUR must be a whole hour/],
    [{ APP_URL: 'tracker.example.gov' }, /APP_URL must be the address/],
    [{ REQUEST_REMINDER_DAYS: '0' }, /REQUEST_REMINDER_DAYS/],
  ])('should stop with one line naming the variable for %p', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
