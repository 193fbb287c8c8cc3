/** Unit specs beside the code and HTTP specs in test/; browser specs run separately (npm run test:browser). */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  testTimeout: 30000,
  // Jest would use one worker on a 2-core machine (cores - 1); the suites are mostly waiting on SQLite.
  maxWorkers: 2,
};
