/** The benchmark harness's own test (npm run test:bench): it starts the app and measures, so it runs apart from npm test. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/**/*.bench-spec.ts'],
  testTimeout: 180000,
};
